// The article editor's script. Without it the form works as it is (Preview and Save buttons); with it:
// - the preview follows typing (the form is posted as the Preview button would, and the server's rendering
//   shown, so what you see is what readers will get);
// - what you type is autosaved a few seconds after you stop (not a save: the server offers it back the next
//   time the article is opened, until you save); a new article is saved as a draft once it has a headline,
//   a section and a body, so that there is something to autosave into;
// - a copy is kept in this browser whenever the server has not got the latest text (signed out, offline),
//   and offered back on the next visit;
// - leaving the page with text the server has not got asks first;
// - the body's length in words and reading time, and the headline's length against what search results show;
// - (below) the search-result and social-card previews, and the style guide's findings beside the text.
// Every back-office page: the menus in the bar close on a click elsewhere or on Escape.
(function () {
  "use strict";
  function close(except) {
    document.querySelectorAll("details.bar-menu[open]").forEach(function (menu) {
      if (menu !== except) menu.open = false;
    });
  }
  document.addEventListener("click", function (event) { close(event.target.closest("details.bar-menu")); });
  document.addEventListener("keydown", function (event) {
    var open = document.querySelector("details.bar-menu[open]");
    if (event.key !== "Escape" || !open) return;
    close(null);
    open.querySelector("summary").focus();
  });
})();

(function () {
  "use strict";
  var form = document.querySelector("form.editor");
  if (!form) return;
  var preview = document.getElementById("live-preview");
  var status = document.getElementById("autosave-status");
  var AUTOSAVE_AFTER = 3000;
  var PREVIEW_AFTER = 700;
  var previewTimer = null;
  var autosaveTimer = null;
  var latestPreview = 0;
  var pending = false; // typed since the server last got the text
  var saving = false;

  // --- The form's fields, as a copy ---------------------------------------------------------------------
  // Every field a person types or chooses in, by id (the byline has several selects of one name).
  function editable() {
    return Array.prototype.filter.call(form.elements, function (element) {
      return element.id && element.name && ["hidden", "file", "checkbox", "submit"].indexOf(element.type) < 0 &&
        element.tagName !== "BUTTON";
    });
  }

  function values() {
    var copy = {};
    editable().forEach(function (element) { copy[element.id] = element.value; });
    return copy;
  }

  function same(a, b) {
    return Object.keys(a).every(function (id) { return b[id] === undefined || a[id] === b[id]; });
  }

  function storageKey(address) { return "newsroom.unsaved:" + address; }

  // `sent`: kept as the form is sent to be saved.
  function keepLocally(sent) {
    var copy = { at: Date.now(), values: values(), sent: Boolean(sent) };
    try {
      localStorage.setItem(storageKey(form.getAttribute("action")), JSON.stringify(copy));
    } catch (error) { /* Storage full or disabled: the autosave and the leaving warning still stand. */ }
  }

  function dropLocal(address) {
    try { localStorage.removeItem(storageKey(address)); } catch (error) { /* nothing kept */ }
  }

  function readLocal(address) {
    try { return JSON.parse(localStorage.getItem(storageKey(address)) || "null"); } catch (error) { return null; }
  }

  function say(text) { if (status) status.textContent = text; }

  // How long ago `time` was, in words that need no locale (times the server shows are in the site's zone).
  function ago(time) {
    var minutes = Math.round((Date.now() - time) / 60000);
    if (minutes < 1) return "just now";
    if (minutes < 120) return minutes + (minutes === 1 ? " minute ago" : " minutes ago");
    if (minutes < 2880) return Math.round(minutes / 60) + " hours ago";
    return Math.round(minutes / 1440) + " days ago";
  }

  // A copy kept by an earlier visit: dropped when the page follows the save it was sent with, or shows the
  // same text; otherwise offered back. (A new article's copy is kept under the list's address.)
  function offerLocalCopy() {
    var shown = values();
    var address = form.getAttribute("action");
    [address, "/admin/articles"].forEach(function (key) {
      var copy = readLocal(key);
      if (copy && ((copy.sent && form.hasAttribute("data-saved")) || (key === address && same(copy.values, shown)))) {
        dropLocal(key);
      }
    });
    var kept = readLocal(address);
    if (!kept) return;
    var box = document.createElement("div");
    box.className = "warning local-copy";
    box.setAttribute("role", "alert");
    var text = document.createElement("p");
    text.textContent = "This browser kept text you typed " + ago(kept.at) +
      " that the server did not get (you were signed out, or the server could not be reached).";
    var restore = document.createElement("button");
    restore.type = "button";
    restore.textContent = "Restore it";
    var discard = document.createElement("button");
    discard.type = "button";
    discard.className = "secondary";
    discard.textContent = "Discard it";
    var buttons = document.createElement("p");
    buttons.className = "inline";
    buttons.append(restore, discard);
    box.append(text, buttons);
    form.parentNode.insertBefore(box, form);
    restore.addEventListener("click", function () {
      editable().forEach(function (element) {
        if (kept.values[element.id] === undefined) return;
        element.value = kept.values[element.id];
        element.dispatchEvent(new Event("newsroom:replaced")); // the rich editor shows the restored body
      });
      box.remove();
      changed(true);
      say("Restored the text kept in this browser; it is autosaved in a moment, and saved when you save.");
    });
    discard.addEventListener("click", function () {
      dropLocal(form.getAttribute("action"));
      box.remove();
    });
  }

  // --- Lengths --------------------------------------------------------------------------------------------
  var HEADLINE_SHOWN = 60; // characters a search result shows of a title, about
  var WORDS_A_MINUTE = 230;
  var CHARACTERS_A_MINUTE = 500; // for Chinese and Japanese text, which has no spaces to count words by

  function lengths() {
    var headline = document.getElementById("headline-count");
    if (headline) {
      var count = Array.from(form.elements.headline.value.trim()).length;
      headline.textContent = count + " characters" +
        (count > HEADLINE_SHOWN ? "; search results show about the first " + HEADLINE_SHOWN : "");
    }
    var body = document.getElementById("body-count");
    if (body) {
      var text = form.elements.body.value;
      var ideographs = (text.match(/[\u3040-\u30ff\u3400-\u9fff]/g) || []).length;
      var words = (text.replace(/[\u3040-\u30ff\u3400-\u9fff]/g, " ").match(/[\p{L}\p{N}]+(?:['\u2019-][\p{L}\p{N}]+)*/gu) || []).length;
      var minutes = Math.max(1, Math.round(words / WORDS_A_MINUTE + ideographs / CHARACTERS_A_MINUTE));
      body.textContent = words + (words === 1 ? " word" : " words") +
        (ideographs ? " and " + ideographs + " characters" : "") +
        ", about " + minutes + (minutes === 1 ? " minute" : " minutes") + " to read";
    }
  }

  // --- Live preview ----------------------------------------------------------------------------------------
  function formData(action) {
    var data = new FormData(form);
    data.delete("lead_file"); // an image is uploaded by Save or Preview, not as one types
    var encoded = new URLSearchParams(data);
    encoded.set("action", action);
    return encoded;
  }

  function refreshPreview() {
    if (!preview) return;
    var body = preview.querySelector(".preview-body");
    var request = ++latestPreview;
    fetch(form.getAttribute("action"), { method: "POST", body: formData("preview"), credentials: "same-origin" })
      .then(function (response) { return response.text(); })
      .then(function (html) {
        if (request !== latestPreview) return;
        var rendered = new DOMParser().parseFromString(html, "text/html").querySelector(".preview-body");
        if (!rendered) return;
        body.replaceChildren.apply(body, Array.prototype.slice.call(rendered.childNodes));
        preview.hidden = false;
      })
      .catch(function () { /* The Preview button still works. */ });
  }

  // --- Autosave ------------------------------------------------------------------------------------------
  function notKept(reason) {
    keepLocally();
    say("Not autosaved: " + reason + ". A copy is kept in this browser.");
  }

  // Answers whether the server took the text; anything else (a sign-in page, an error) is explained.
  function check(response) {
    if (response.redirected && response.url.indexOf("/admin/sign-in") >= 0) throw new Error("you are signed out");
    if (!response.ok) {
      return response.text().then(function (html) {
        var page = new DOMParser().parseFromString(html, "text/html");
        var message = page.querySelector(".error, h1 + p");
        var text = message ? message.textContent.replace(/^Not saved: /, "").trim() : "";
        throw new Error(text || "the server answered " + response.status);
      });
    }
    return response;
  }

  function autosave() {
    if (!pending || saving) return;
    var address = form.getAttribute("action");
    var existing = /^\/admin\/articles\/\d+$/.test(address);
    if (!existing && !(form.elements.headline.value.trim() && form.elements.section.value &&
      form.elements.body.value.trim())) {
      keepLocally();
      return;
    }
    saving = true;
    pending = false;
    var data = formData("save");
    var request;
    if (existing) {
      request = fetch(address + "/autosave", { method: "POST", body: data, credentials: "same-origin" })
        .then(check)
        .then(function (response) { return response.json(); })
        .then(function (answer) {
          dropLocal(address);
          say("Autosaved " + answer.saved_at + "; readers see it when you save.");
        });
    } else {
      // The first autosave of a new article saves it as a draft, whatever status is chosen for it.
      data.set("status", "draft");
      request = fetch(address, { method: "POST", body: data, credentials: "same-origin" })
        .then(check)
        .then(function (response) {
          var made = /\/admin\/articles\/(\d+)/.exec(new URL(response.url).pathname);
          return response.text().then(function (html) {
            var page = new DOMParser().parseFromString(html, "text/html");
            if (!made) throw new Error("the draft was not saved");
            var version = page.querySelector("input[name=modified_at]");
            form.setAttribute("action", "/admin/articles/" + made[1]);
            if (version) form.elements.modified_at.value = version.value;
            history.replaceState(null, "", "/admin/articles/" + made[1]);
            dropLocal(address);
            say("Saved as a draft; from now on your changes are autosaved.");
          });
        });
    }
    request
      .catch(function (error) {
        pending = true;
        notKept(error instanceof TypeError ? "the server cannot be reached" : error.message);
      })
      .then(function () {
        saving = false;
        if (pending) schedule();
      });
  }

  function schedule() {
    clearTimeout(autosaveTimer);
    autosaveTimer = setTimeout(autosave, AUTOSAVE_AFTER);
  }

  function changed(text) {
    pending = true;
    lengths();
    keepLocally();
    schedule();
    if (text) {
      clearTimeout(previewTimer);
      previewTimer = setTimeout(refreshPreview, PREVIEW_AFTER);
    }
  }

  form.addEventListener("input", function (event) {
    var name = event.target && event.target.name;
    if (!name || name === "csrf" || name === "lead_file") return;
    changed(["headline", "standfirst", "body"].indexOf(name) >= 0);
  });
  form.addEventListener("change", function (event) {
    if (event.target && event.target.tagName === "SELECT") changed(false);
  });
  form.addEventListener("submit", function (event) {
    // The copy stays until the page after the save says it went through (see offerLocalCopy).
    pending = false;
    clearTimeout(autosaveTimer);
    var button = event.submitter;
    if (!button || button.value === "save") keepLocally(true);
  });
  window.addEventListener("beforeunload", function (event) {
    // The rich editor hands the textarea its text a moment after typing stops; ask for it now.
    if (window.newsroomEditor) window.newsroomEditor.sync();
    if (!pending) return;
    event.preventDefault();
    event.returnValue = "";
  });
  offerLocalCopy();
  lengths();
})();

// The editor's "Search and social" part: the SEO title's and meta description's lengths, and two previews that
// follow typing, a search result and a social card, drawn here from the form (nothing is asked of anyone else).
// An empty field shows what it falls back to: the headline, the standfirst, the lead image.
(function () {
  "use strict";
  var box = document.getElementById("search-social");
  var form = document.querySelector("form.editor");
  if (!box || !form) return;
  var TITLE_SHOWN = 60; // characters of a title a search result shows, about
  var DESCRIPTION_SHOWN = 158; // and of a description (155 to 160)
  var CARD_DESCRIPTION_SHOWN = 110; // what a social card's two lines hold, about
  var previews = box.querySelector(".search-previews");

  function value(name) { return form.elements[name] ? form.elements[name].value.trim() : ""; }
  function length(text) { return Array.from(text).length; }

  // `text` cut to about `limit` characters at a word's end, as search results cut it.
  function cut(text, limit) {
    var characters = Array.from(text);
    if (characters.length <= limit) return text;
    var head = characters.slice(0, limit).join("");
    var space = head.lastIndexOf(" ");
    if (space > limit * 0.6) head = head.slice(0, space);
    return head.replace(/[\s,.;:\u2013\u2014-]+$/, "") + " \u2026";
  }

  // The address as readers will have it: the one typed, else one made from the headline (the server makes it
  // the same way, though it may spell some letters differently).
  function path() {
    var slug = value("slug") || value("headline").toLowerCase().normalize("NFKD").replace(/[\u0300-\u036f]/g, "")
      .replace(/[^\p{L}\p{N}]+/gu, "-").replace(/^-+|-+$/g, "");
    return "/" + (value("section") || "section") + "/" + (slug || "address");
  }

  // The share image, else the lead image; the share image's list (the same images) knows where each one is.
  function chosenImage() {
    var id = value("share_image") || value("lead_image");
    var shares = form.elements.share_image;
    var option = id && shares && Array.prototype.find.call(shares.options, function (o) { return o.value === id; });
    return option && option.getAttribute("data-src") ? { src: option.getAttribute("data-src") } : null;
  }

  function count(id, text, shown, what) {
    var element = document.getElementById(id);
    if (!element) return;
    var characters = length(text);
    element.textContent = characters ? characters + " characters" +
      (characters > shown ? "; search results show about the first " + shown : "; search results show it whole") :
      "Empty: the " + what + " is used.";
  }

  function put(selector, text) { box.querySelector(selector).textContent = text; }

  function update() {
    var siteName = box.getAttribute("data-site-name") || "";
    var title = value("seo_title") || value("headline");
    var description = value("seo_description") || value("standfirst") || box.getAttribute("data-site-description") || "";
    count("seo-title-count", value("seo_title"), TITLE_SHOWN, "headline");
    count("seo-description-count", value("seo_description"), DESCRIPTION_SHOWN, "standfirst");
    var full = title ? title + " | " + siteName : siteName; // as the page's <title> has it
    var address = (box.getAttribute("data-address") || "") + path();
    put(".serp-address", address.replace(/^https?:\/\//, "").split("/").filter(Boolean).join(" \u203a "));
    put(".serp-title", cut(full, TITLE_SHOWN));
    put(".serp-description", cut(description, DESCRIPTION_SHOWN));
    put(".card-preview-site", (box.getAttribute("data-address") || "").replace(/^https?:\/\//, "").split("/")[0]);
    put(".card-preview-title", full);
    put(".card-preview-description", cut(description, CARD_DESCRIPTION_SHOWN));
    var frame = box.querySelector(".card-preview-image");
    var image = chosenImage();
    var shown = frame.querySelector("img");
    if (!image) {
      frame.hidden = true;
    } else {
      if (!shown) { shown = document.createElement("img"); frame.append(shown); }
      if (shown.getAttribute("src") !== image.src) shown.src = image.src;
      shown.alt = "";
      frame.hidden = false;
    }
    previews.hidden = false;
  }

  form.addEventListener("input", update);
  form.addEventListener("change", update);
  update();
})();

// The style guide beside the text: a moment after typing stops, the headline, standfirst and body are checked
// on the server (`POST /admin/style/check`, which saves nothing) and the findings listed with their
// suggestions. A finding's text selects the passage (in the rich editor or the Markdown textarea); Correct puts
// the suggestion in its place. The check before publishing stays with Save.
(function () {
  "use strict";
  var panel = document.getElementById("style-live");
  var form = document.querySelector("form.editor");
  if (!panel || !form || !form.elements.csrf) return;
  var CHECK_AFTER = 800;
  var list = document.getElementById("style-live-list");
  var status = document.getElementById("style-live-status");
  var timer = null;
  var latest = 0;
  var FIELD_NAMES = { headline: "Headline", standfirst: "Standfirst", body: "Body" };

  function say(text) { status.textContent = text; }

  function run() {
    var request = ++latest;
    var data = new URLSearchParams();
    data.set("csrf", form.elements.csrf.value);
    ["headline", "standfirst", "body", "language"].forEach(function (name) {
      if (form.elements[name]) data.set(name, form.elements[name].value);
    });
    fetch("/admin/style/check", { method: "POST", body: data, credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) throw new Error("the server answered " + response.status);
        return response.json();
      })
      .then(function (answer) { if (request === latest) show(answer.findings || []); })
      .catch(function () {
        if (request === latest) say("The style guide could not be asked just now; Save still checks the text.");
      });
  }

  function schedule() {
    clearTimeout(timer);
    timer = setTimeout(run, CHECK_AFTER);
  }

  function show(findings) {
    panel.hidden = false;
    // The list of the last save's findings gives way to this one, which follows the text (its "Publish as
    // written" box stays).
    document.querySelectorAll(".style-findings ol, .style-findings .fix-all").forEach(function (old) { old.hidden = true; });
    list.replaceChildren();
    say(findings.length ? findings.length + (findings.length === 1 ? " spelling to check." : " spellings to check.") :
      "Nothing to check: the text follows the style guide.");
    findings.forEach(function (finding) {
      var item = document.createElement("li");
      var where = document.createElement("button");
      where.type = "button";
      where.className = "link-button style-live-found";
      where.textContent = "\u201c" + finding.found + "\u201d";
      where.setAttribute("aria-label", "Select \u201c" + finding.found + "\u201d in the " +
        (FIELD_NAMES[finding.field] || finding.field).toLowerCase());
      var field = document.createElement("span");
      field.className = "help";
      field.textContent = (FIELD_NAMES[finding.field] || finding.field) + ", line " + finding.line;
      var rule = document.createElement("span");
      rule.className = "style-live-rule";
      rule.textContent = finding.rule;
      var fix = document.createElement("button");
      fix.type = "button";
      fix.className = "secondary style-live-fix";
      fix.textContent = "Correct to \u201c" + finding.suggestion + "\u201d";
      item.append(field, where, " ", rule, fix);
      where.addEventListener("click", function () { locate(finding, true); });
      fix.addEventListener("click", function () { correct(finding); });
      list.append(item);
    });
  }

  function rich(finding) {
    var editor = window.newsroomEditor;
    return finding.field === "body" && editor && editor.view && form.elements.body.hidden ? editor.view : null;
  }

  // Where the finding is in the rich editor's document: its text found again, the same how-manieth time as in
  // the Markdown (the editor shows the text without the Markdown's marks). Positions or null.
  function inDocument(view, finding) {
    var text = "";
    var positions = [];
    view.state.doc.descendants(function (node, at) {
      if (!node.isTextblock) return true;
      if (text) { text += "\n"; positions.push(at); }
      node.forEach(function (child, offset) {
        if (child.isText) {
          for (var i = 0; i < child.text.length; i++) positions.push(at + 1 + offset + i);
          text += child.text;
        } else {
          positions.push(at + 1 + offset);
          text += "\ufffc";
        }
      });
      return false;
    });
    var found = [];
    for (var index = text.indexOf(finding.found); index >= 0; index = text.indexOf(finding.found, index + 1)) {
      found.push(index);
    }
    if (!found.length) return null;
    var start = found[Math.min(finding.occurrence, found.length - 1)];
    return { from: positions[start], to: positions[start + finding.found.length - 1] + 1 };
  }

  // Selects the finding's passage; answers where it is, or null when the text changed since the check.
  function locate(finding, focus) {
    var view = rich(finding);
    if (view) {
      var range = inDocument(view, finding);
      if (!range) return stale();
      if (focus) {
        view.focus();
        var start = view.domAtPos(range.from);
        var end = view.domAtPos(range.to);
        var selected = document.createRange();
        selected.setStart(start.node, start.offset);
        selected.setEnd(end.node, end.offset);
        var selection = window.getSelection();
        selection.removeAllRanges();
        selection.addRange(selected);
        var shown = start.node.nodeType === 1 ? start.node : start.node.parentNode;
        if (shown && shown.scrollIntoView) shown.scrollIntoView({ block: "center" });
      }
      return { view: view, from: range.from, to: range.to };
    }
    var element = form.elements[finding.field];
    if (!element || element.value.slice(finding.from, finding.to) !== finding.found) return stale();
    if (focus) {
      element.focus();
      element.setSelectionRange(finding.from, finding.to);
    }
    return { element: element };
  }

  function stale() {
    say("The text changed since the check; the list is brought up to date.");
    run();
    return null;
  }

  function correct(finding) {
    var place = locate(finding, false);
    if (!place) return;
    if (place.view) {
      place.view.dispatch(place.view.state.tr.insertText(finding.suggestion, place.from, place.to));
      place.view.focus();
    } else {
      place.element.setRangeText(finding.suggestion, finding.from, finding.to, "end");
      place.element.dispatchEvent(new Event("input", { bubbles: true }));
      place.element.focus();
    }
    say("Changed \u201c" + finding.found + "\u201d to \u201c" + finding.suggestion + "\u201d; not saved until you save.");
    // The rich editor hands the textarea its text a moment later; the next check follows that.
    schedule();
  }

  form.addEventListener("input", function (event) {
    var name = event.target && event.target.name;
    if (name === "headline" || name === "standfirst" || name === "body") schedule();
  });
  form.addEventListener("change", function (event) {
    if (event.target && event.target.name === "language") schedule();
  });
  run();
})();

// A media item's page: a click on the picture sets its focal point there and saves it; the marker follows the
// Across and Down fields, which set it by keyboard.
(function () {
  "use strict";
  var image = document.getElementById("focus-image");
  var form = document.getElementById("focus-form");
  if (!image || !form) return;
  var marker = document.getElementById("focus-marker");
  var across = document.getElementById("focus-x");
  var down = document.getElementById("focus-y");
  function within(value) { return value >= 0 && value <= 1; }
  function place() {
    var x = parseFloat(across.value);
    var y = parseFloat(down.value);
    marker.hidden = !(within(x) && within(y));
    if (marker.hidden) return;
    marker.style.left = x * 100 + "%";
    marker.style.top = y * 100 + "%";
  }
  function fraction(offset, size) {
    return String(Math.min(1, Math.max(0, Math.round((offset / size) * 1000) / 1000)));
  }
  image.addEventListener("click", function (event) {
    var box = image.getBoundingClientRect();
    across.value = fraction(event.clientX - box.left, box.width);
    down.value = fraction(event.clientY - box.top, box.height);
    place();
    if (form.requestSubmit) form.requestSubmit(); else form.submit();
  });
  across.addEventListener("input", place);
  down.addEventListener("input", place);
  place();
})();

// The article editor: a lead image narrower than search and social networks show large is pointed out as soon
// as it is chosen from the library or as a file to upload.
(function () {
  "use strict";
  var warning = document.getElementById("lead-size-warning");
  var select = document.getElementById("lead_image");
  if (!warning || !select) return;
  var file = document.getElementById("lead_file");
  var least = parseInt(warning.getAttribute("data-min-width"), 10);
  var widths = {}; // image id: width, as "id:width id:width"
  warning.getAttribute("data-widths").split(" ").forEach(function (pair) {
    var parts = pair.split(":");
    if (parts.length === 2) widths[parts[0]] = parseInt(parts[1], 10);
  });
  function say(width) {
    warning.textContent = width > 0 && width < least
      ? warning.getAttribute("data-message").replace("{width}", String(width)).replace("{min}", String(least))
      : "";
  }
  function chosen() {
    say(widths[select.value] || 0);
  }
  select.addEventListener("change", chosen);
  if (file && window.createImageBitmap) {
    file.addEventListener("change", function () {
      var picked = file.files && file.files[0];
      if (!picked) { chosen(); return; }
      // A file that is not a picture is refused by the server with its reason; nothing to say here.
      createImageBitmap(picked).then(function (bitmap) { say(bitmap.width); bitmap.close(); }, function () {});
    });
  }
})();
