// Live preview in the article editor. Without this script the Preview button does the same on request; with
// it, the preview follows typing. It posts the form as the button would (same CSRF token, same origin) and
// shows the server's rendering, so what you see is exactly what readers will get.
(function () {
  "use strict";
  var form = document.querySelector("form.editor");
  var target = document.getElementById("live-preview");
  if (!form || !target) return;
  var body = target.querySelector(".preview-body");
  var timer = null;
  var latest = 0;

  function refresh() {
    var data = new URLSearchParams(new FormData(form));
    data.set("action", "preview");
    data.delete("lead_file"); // an image is uploaded when the editor saves or asks for a preview, not as they type
    var request = ++latest;
    fetch(form.action, { method: "POST", body: data, credentials: "same-origin" })
      .then(function (response) { return response.text(); })
      .then(function (html) {
        if (request !== latest) return;
        var page = new DOMParser().parseFromString(html, "text/html");
        var rendered = page.querySelector(".preview-body");
        if (!rendered) return;
        body.replaceChildren.apply(body, Array.prototype.slice.call(rendered.childNodes));
        target.hidden = false;
      })
      .catch(function () { /* The Preview button still works; nothing to do. */ });
  }

  form.addEventListener("input", function (event) {
    if (!event.target || ["headline", "standfirst", "body"].indexOf(event.target.name) < 0) return;
    clearTimeout(timer);
    timer = setTimeout(refresh, 700);
  });
})();
