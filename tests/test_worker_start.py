"""What every web worker holds from the start: the app as gunicorn's master loads it
(wsgi.py) imports no library that only a PDF, a signed credential, a backup or a migration
needs; those come with the first use (app/certificates/pdf.py, keys.py, credentials.py,
dataintegrity.py, app/ops/backup.py, app/extensions.py)."""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ON_USE_ONLY = ("fpdf", "fontTools", "PIL", "joserfc", "cryptography", "pyld", "lxml",
               "alembic", "flask_migrate")


def _run_in_the_master(script: str, tmp_path):
    """What `script` prints as JSON, run where gunicorn's master loads the app: a fresh process."""
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path}/start.sqlite3",
           "SECRET_KEY": "worker-start", "PYTHONPATH": str(ROOT)}
    env.pop("REDIS_URL", None)
    out = subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=env,
                         capture_output=True, text=True, timeout=120, check=True).stdout
    return json.loads(out.splitlines()[-1])


def test_the_app_as_loaded_for_the_workers_leaves_the_heavy_libraries_for_their_first_use(tmp_path):
    script = ("import json, sys, wsgi; "
              "print(json.dumps(sorted({m.split('.')[0] for m in sys.modules})))")
    loaded = set(_run_in_the_master(script, tmp_path))
    assert "flask" in loaded and "sqlalchemy" in loaded  # the app was really loaded
    assert loaded & set(ON_USE_ONLY) == set()


def test_the_master_compiles_every_template_and_reads_the_translations_before_forking(tmp_path):
    """gunicorn.conf.py's pre_fork: built once and shared, not once in each worker's memory."""
    script = (
        "import json, runpy, wsgi; "
        "conf = runpy.run_path('gunicorn.conf.py'); app = wsgi.app; "
        "before = len(app.jinja_env.cache); conf['_warm'](app); "
        "print(json.dumps([before, len(app.jinja_env.cache), len(app.jinja_env.list_templates()), "
        "sorted(locale for locale, _ in app.extensions['babel'].instance.domain_instance.cache)]))")
    before, compiled, templates, locales = _run_in_the_master(script, tmp_path)
    assert before == 0 and compiled == templates > 50
    assert locales == ["en", "vi"]
