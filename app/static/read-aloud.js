// Read the lesson aloud with the phone's own speech synthesis, when it has a Vietnamese
// voice (reading Vietnamese with a foreign voice helps nobody). Progressive enhancement:
// without such a voice, or without JavaScript, the button stays hidden.
(function () {
  var button = document.querySelector("button.speak");
  var lesson = document.getElementById("lesson");
  if (!button || !lesson || !("speechSynthesis" in window)) return;
  var synth = window.speechSynthesis;

  function vietnameseVoice() {
    var voices = synth.getVoices();
    for (var i = 0; i < voices.length; i++) {
      if (voices[i].lang && voices[i].lang.toLowerCase().indexOf("vi") === 0) return voices[i];
    }
    return null;
  }
  function setSpeaking(on) {
    button.textContent = on ? button.dataset.stop : button.dataset.start;
    button.setAttribute("aria-pressed", on ? "true" : "false");
  }
  function offer() {
    if (!vietnameseVoice()) return;
    button.hidden = false;
    button.setAttribute("aria-pressed", "false");
  }

  button.addEventListener("click", function () {
    if (button.getAttribute("aria-pressed") === "true") {
      synth.cancel();
      setSpeaking(false);
      return;
    }
    var title = document.querySelector("h1");
    var utterance = new SpeechSynthesisUtterance((title ? title.textContent + ". " : "") + lesson.innerText);
    utterance.lang = "vi-VN";
    utterance.voice = vietnameseVoice();
    utterance.rate = 0.9; // a little slower: many listeners are elderly
    utterance.onend = function () { setSpeaking(false); };
    utterance.onerror = function () { setSpeaking(false); };
    synth.cancel();
    synth.speak(utterance);
    setSpeaking(true);
  });
  offer();
  if ("onvoiceschanged" in synth) synth.addEventListener("voiceschanged", offer);
})();
