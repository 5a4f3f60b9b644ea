// Copy buttons of the live session page: <button data-copy="ID"> copies the
// text of #ID and says so in the page's polite live region.
(function () {
  "use strict";
  var status = document.getElementById("copy-status");
  function say(text) {
    if (!status) return;
    status.textContent = "";
    window.setTimeout(function () { status.textContent = text; }, 50);
  }
  document.querySelectorAll("button[data-copy]").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () {
      var source = document.getElementById(button.getAttribute("data-copy"));
      if (!source) return;
      var text = (source.value !== undefined ? source.value : source.textContent).trim();
      var done = function () { say(button.getAttribute("data-copied") || "Copied"); };
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(text).then(done, function () { say(button.getAttribute("data-failed") || ""); });
      } else {
        var range = document.createRange();
        range.selectNodeContents(source);
        var selection = window.getSelection();
        selection.removeAllRanges();
        selection.addRange(range);
        try { document.execCommand("copy"); done(); } catch (e) { say(button.getAttribute("data-failed") || ""); }
        selection.removeAllRanges();
      }
    });
  });
})();
