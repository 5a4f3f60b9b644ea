/* The "not open yet" join page (live/templates/live/join.html): shows the
 * start in the visitor's own time zone when it differs from the session's,
 * and goes to the join link when the room opens, so a person who opened
 * their link early needs to do nothing. No inline code (the CSP). */
(function () {
  "use strict";
  var section = document.getElementById("join-not-open");
  if (!section) return;
  // The wait is counted from the server's clock when it rendered the page,
  // never the visitor's (a clock running ahead would reload in a loop).
  var opensAt = Date.parse(section.dataset.opensAt);
  var serverNow = Date.parse(section.dataset.serverNow);
  var joinUrl = section.dataset.joinUrl;
  if (isNaN(opensAt) || isNaN(serverNow) || !joinUrl) return;

  var visitorZone = "";
  try {
    visitorZone = Intl.DateTimeFormat().resolvedOptions().timeZone || "";
  } catch (error) {
    visitorZone = "";
  }
  var local = document.getElementById("join-local-time");
  if (local && visitorZone && visitorZone !== section.dataset.timeZone) {
    var time = local.querySelector("time");
    var start = new Date(time.getAttribute("datetime"));
    if (!isNaN(start.getTime())) {
      var format = new Intl.DateTimeFormat(document.documentElement.lang || undefined, {
        dateStyle: "full", timeStyle: "short", timeZone: visitorZone
      });
      time.textContent = format.format(start) + " (" + visitorZone + ")";
      local.hidden = false;
    }
  }

  // Timers longer than about 24.8 days overflow; a long wait checks again
  // every six hours (the reload renders this page afresh).
  var SIX_HOURS = 6 * 60 * 60 * 1000;
  var wait = opensAt - serverNow + 1000;
  var note = document.getElementById("join-wait-note");
  if (note) note.hidden = false;
  if (wait > SIX_HOURS) {
    window.setTimeout(function () { window.location.assign(joinUrl); }, SIX_HOURS);
  } else {
    window.setTimeout(function () { window.location.assign(joinUrl); }, Math.max(wait, 0));
  }
})();
