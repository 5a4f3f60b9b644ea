/* Progressive enhancement of the training pages: beside the organiser's
   time (always in the HTML, with its zone named), show the same moment in
   the visitor's own time zone when it differs. Reads the <time datetime>
   attributes; the label comes from the page (translated on the server). */
(function () {
  "use strict";
  if (!window.Intl || !Intl.DateTimeFormat) { return; }
  var lang = document.documentElement.lang || undefined;
  var visitorZone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  document.querySelectorAll(".local-time[data-local-label]").forEach(function (target) {
    var when = target.parentElement.querySelector(".training-when");
    if (!when) { return; }
    var organiserZone = when.getAttribute("data-zone");
    var start = when.querySelector("time[data-local-start]");
    var end = when.querySelector("time[data-local-end]");
    if (!start || !end || !visitorZone || visitorZone === organiserZone) { return; }
    var startDate = new Date(start.getAttribute("datetime"));
    var endDate = new Date(end.getAttribute("datetime"));
    if (isNaN(startDate) || isNaN(endDate)) { return; }
    var full = new Intl.DateTimeFormat(lang, { dateStyle: "full", timeStyle: "short" });
    var timeOnly = new Intl.DateTimeFormat(lang, { timeStyle: "short" });
    try {
      // Zones with other names but the same clock time (Paris, Brussels) need no second line.
      var there = new Intl.DateTimeFormat(lang, { dateStyle: "full", timeStyle: "short", timeZone: organiserZone });
      if (there.format(startDate) === full.format(startDate)) { return; }
    } catch (error) { /* an unknown zone name: show the visitor's time */ }
    var sameDay = startDate.toDateString() === endDate.toDateString();
    target.textContent = target.getAttribute("data-local-label") + " " + full.format(startDate) + "–" +
      (sameDay ? timeOnly.format(endDate) : full.format(endDate)) + " (" + visitorZone + ")";
    target.hidden = false;
  });
})();
