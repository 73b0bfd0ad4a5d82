// The editor's publication time: keeps the readout beside the date and time fields current ("Monday, Dec. 7,
// 2026, 1:55 p.m. GMT (in 3 hours)"). The server says what the fields mean, since it knows the site's zone with
// its clock changes and the site's date format; asked as the fields change, and each minute so that "in 3
// minutes" stays true. Without script the readout shows what the page was rendered with.
(function () {
  "use strict";
  var date = document.getElementById("publish_date");
  var time = document.getElementById("publish_time");
  var readout = document.getElementById("publish-when");
  if (!date || !time || !readout) return;

  var asked = "";
  var askedAt = 0;
  var pending = 0;
  var latest = 0;

  function current() {
    return new URLSearchParams({ date: date.value.trim(), time: time.value.trim() }).toString();
  }

  function show(text, problem) {
    readout.textContent = text;
    readout.classList.toggle("problem", problem);
    [date, time].forEach(function (field) {
      if (problem) field.setAttribute("aria-invalid", "true"); else field.removeAttribute("aria-invalid");
    });
  }

  function ask() {
    var query = current();
    var mine = ++latest;
    asked = query;
    askedAt = Date.now();
    fetch("/admin/publication-time?" + query, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { return response.json(); })
      .then(function (answer) {
        if (mine !== latest) return; // A later question is on its way.
        if (answer.error) show(answer.error, true); else show(answer.text || "", false);
      })
      // Signed out or offline: the readout keeps what it said; saving still checks the time.
      .catch(function () {});
  }

  function soon() {
    clearTimeout(pending);
    pending = setTimeout(function () { pending = 0; ask(); }, 300);
  }

  date.addEventListener("input", soon);
  time.addEventListener("input", soon);
  // Values can also change without an input event (a copy restored by admin.js); and the relative part ages.
  setInterval(function () {
    if (pending) return;
    if (current() !== asked || Date.now() - askedAt > 60000) ask();
  }, 1000);
  asked = current();
  askedAt = Date.now();
})();
