"""The installable app that works offline: manifest, service worker, and checks answered
without a signal, graded on the server once they arrive (issue 16)."""
