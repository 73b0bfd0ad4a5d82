// Notes on a passage of the draft, for the people working on it. A note keeps its passage as the quoted text
// with a little text before and after it (a text-quote selector, as in W3C Web Annotation), never as marks in
// the document: the Markdown the form sends does not change by a byte. Here the passages are found in the
// text, highlighted with decorations that follow the text as it changes, and listed in the page's Notes
// section (#notes), which the server also draws for use without script.

import { Plugin, PluginKey, TextSelection } from "prosemirror-state";
import { Decoration, DecorationSet } from "prosemirror-view";
import { make, postForJson } from "./util.js";

const key = new PluginKey("notes");
const CONTEXT = 32; // characters kept on each side of a passage to tell its occurrences apart

// The document's text as one string (blocks separated by a line break, images and other inline leaves by
// U+FFFC), with the spans that lead from offsets in it back to positions in the document.
function flatten(doc) {
  let text = "";
  const spans = [];
  doc.descendants((node, pos) => {
    if (node.isText) {
      spans.push({ at: text.length, pos, size: node.text.length });
      text += node.text;
    } else if (node.isBlock) {
      if (text && !text.endsWith("\n")) text += "\n";
    } else if (node.isLeaf) {
      text += "\uFFFC";
    }
    return true;
  });
  return { text, spans };
}

// The span holding `offset` (or the last one before it), by binary search.
function spanAt(spans, offset) {
  let low = 0;
  let high = spans.length - 1;
  while (low < high) {
    const middle = (low + high + 1) >> 1;
    if (spans[middle].at <= offset) low = middle; else high = middle - 1;
  }
  return low;
}

// The document position of `offset`; an offset in a separator goes to the start of the next span (`forward`)
// or the end of the one before.
function positionOf(flat, offset, forward) {
  const { spans } = flat;
  if (!spans.length) return null;
  const index = spanAt(spans, offset);
  const span = spans[index];
  if (offset < span.at) return span.pos;
  if (offset <= span.at + span.size) return span.pos + (offset - span.at);
  if (forward && index + 1 < spans.length) return spans[index + 1].pos;
  return span.pos + span.size;
}

// The offset in the flattened text of document position `pos`.
function offsetOf(flat, pos) {
  const { spans } = flat;
  let low = 0;
  let high = spans.length - 1;
  let found = 0;
  while (low <= high) {
    const middle = (low + high) >> 1;
    if (spans[middle].pos <= pos) { found = middle; low = middle + 1; } else high = middle - 1;
  }
  const span = spans[found];
  if (!span) return 0;
  return span.at + Math.max(0, Math.min(pos - span.pos, span.size));
}

function sharedEnd(a, b) {
  let n = 0;
  while (n < a.length && n < b.length && a[a.length - 1 - n] === b[b.length - 1 - n]) n += 1;
  return n;
}

function sharedStart(a, b) {
  let n = 0;
  while (n < a.length && n < b.length && a[n] === b[n]) n += 1;
  return n;
}

// Where `note`'s passage is in `text`, as [start, end] offsets, or null when it is gone. Of several
// occurrences, the one whose surroundings match best; when the passage itself was edited, what lies between
// its old surroundings, if they are still there and close together.
export function locate(text, note) {
  const quote = note.quote;
  if (!quote) return null;
  let best = null;
  let bestScore = -1;
  for (let at = text.indexOf(quote); at !== -1; at = text.indexOf(quote, at + 1)) {
    const before = text.slice(Math.max(0, at - note.prefix.length), at);
    const after = text.slice(at + quote.length, at + quote.length + note.suffix.length);
    const score = sharedEnd(before, note.prefix) + sharedStart(after, note.suffix);
    if (score > bestScore) { best = at; bestScore = score; }
  }
  if (best !== null) return [best, best + quote.length];
  if (note.prefix.length >= 8 && note.suffix.length >= 8) {
    const before = text.indexOf(note.prefix);
    if (before !== -1) {
      const start = before + note.prefix.length;
      const end = text.indexOf(note.suffix, start);
      if (end > start && end - start <= quote.length * 2 + 40) return [start, end];
    }
  }
  return null;
}

// What a note on the selection from `from` to `to` keeps: the passage and its surroundings.
function selector(doc, from, to) {
  const flat = flatten(doc);
  const start = offsetOf(flat, from);
  const end = offsetOf(flat, to);
  return {
    quote: flat.text.slice(start, end),
    prefix: flat.text.slice(Math.max(0, start - CONTEXT), start),
    suffix: flat.text.slice(end, end + CONTEXT),
  };
}

// Highlights of the open notes' passages in `doc`.
function highlights(doc, notes, active) {
  const flat = flatten(doc);
  const found = [];
  for (const note of notes) {
    if (note.resolved) continue;
    const range = locate(flat.text, note);
    if (!range) continue;
    const from = positionOf(flat, range[0], true);
    const to = positionOf(flat, range[1], false);
    if (from === null || to === null || to <= from) continue;
    const className = "pm-note" + (note.id === active ? " pm-note-active" : "");
    found.push(Decoration.inline(from, to, { class: className, "data-note": String(note.id) }, { id: note.id }));
  }
  return DecorationSet.create(doc, found);
}

function anchoredIds(set) {
  return set.find().map((decoration) => decoration.spec.id).sort((a, b) => a - b).join(",");
}

// --- The list, the form beside the text, and the requests ------------------------------------------------------

export function setupNotes(options) {
  const section = document.getElementById("notes");
  if (!section) return null;
  const { getView, isRich, textarea } = options;
  const article = section.dataset.article;
  const canNote = section.hasAttribute("data-can-note");
  const status = section.querySelector(".notes-status");
  const openList = section.querySelector(".notes-open");
  const resolvedBox = section.querySelector(".notes-resolved");
  const resolvedList = resolvedBox.querySelector("ul");
  const resolvedCount = section.querySelector(".notes-resolved-count");
  const csrf = () => document.querySelector("form.editor").elements.csrf.value;
  let notes = [];
  let active = null;
  let anchored = "";
  let lookAgain = null; // a timer: after edits, looks for passages that had gone
  try { notes = JSON.parse(document.getElementById("notes-data").textContent) || []; } catch (error) { notes = []; }

  const say = (text) => { status.textContent = text; };

  async function send(path, fields) {
    const body = new URLSearchParams({ csrf: csrf(), ...fields });
    const answer = await postForJson("/admin/articles/" + article + "/notes" + path, body);
    notes = answer.notes;
    refresh();
  }

  // The passage of note `id` in the text now, as document positions, or null.
  function rangeOf(id) {
    const view = getView();
    const found = key.getState(view.state).decorations.find(undefined, undefined, (spec) => spec.id === id);
    return found.length ? { from: found[0].from, to: found[0].to } : null;
  }

  function goTo(note) {
    active = note.id;
    if (isRich()) {
      const view = getView();
      view.dispatch(view.state.tr.setMeta(key, "notes"));
      const range = rangeOf(note.id);
      if (!range) { say("The passage of this note is no longer in the text."); return; }
      view.dispatch(view.state.tr.setSelection(TextSelection.create(view.state.doc, range.from, range.to))
        .scrollIntoView());
      view.focus();
    } else {
      const range = locate(textarea.value, note);
      if (!range) { say("The passage of this note is not in the Markdown as it reads now."); return; }
      textarea.focus();
      textarea.setSelectionRange(range[0], range[1]);
    }
    drawList();
  }

  function noteItem(note) {
    const item = make("li", {
      className: "note" + (note.resolved ? " note-is-resolved" : "") + (note.id === active ? " note-active" : ""),
      id: "note-" + note.id,
    });
    const removed = isRich() && note.quote && !note.resolved && !anchored.split(",").includes(String(note.id));
    if (removed) item.append(make("p", { className: "note-removed", textContent: "Passage removed from the text" }));
    if (note.quote) {
      const quote = make("button", {
        type: "button", className: "note-quote", textContent: note.quote,
        title: removed ? "The passage is no longer in the text" : "Select the passage in the text",
      });
      quote.addEventListener("click", () => goTo(note));
      item.append(quote);
    } else {
      item.append(make("p", { className: "note-quote note-whole", textContent: "On the whole article" }));
    }
    const resolved = note.resolved ? ". Resolved by " + (note.resolved_by || "a removed user") + ", " + note.resolved : "";
    item.append(
      make("p", { className: "note-body", textContent: note.body }),
      make("p", { className: "help note-meta", textContent: note.author + ", " + note.created + resolved }),
    );
    if (!canNote) return item;
    const actions = make("div", { className: "inline note-actions" });
    const act = (label, path, done) => {
      const button = make("button", { type: "button", className: "secondary", textContent: label });
      button.addEventListener("click", async () => {
        button.disabled = true;
        try {
          await send("/" + note.id + path, {});
          say(done);
        } catch (error) {
          say("Not changed: " + error.message + ".");
          button.disabled = false;
        }
      });
      actions.append(button);
    };
    if (note.resolved) act("Reopen", "/reopen", "Note reopened.");
    else act("Resolve", "/resolve", "Note resolved; it is kept under Show resolved notes.");
    if (note.can_delete) act("Delete", "/delete", "Note deleted.");
    item.append(actions);
    return item;
  }

  // Draws both lists from `notes` (the text's highlights tell which passages are gone).
  function drawList() {
    const open = notes.filter((note) => !note.resolved);
    const resolved = notes.filter((note) => note.resolved);
    openList.replaceChildren(...open.map(noteItem));
    if (!open.length) openList.append(make("li", { className: "notes-none", textContent: "No open notes." }));
    resolvedList.replaceChildren(...resolved.map(noteItem));
    resolvedCount.textContent = String(resolved.length);
    resolvedBox.hidden = !resolved.length;
  }

  // After the notes changed: new highlights in the text, then the lists.
  function refresh() {
    const view = getView();
    if (view) view.dispatch(view.state.tr.setMeta(key, "notes"));
    drawList();
  }

  // The form under the toolbar, for a note on the selected passage.
  const panel = make("div", { className: "pm-panel pm-note-panel", hidden: true });
  panel.setAttribute("role", "group");
  panel.setAttribute("aria-label", "Add note");
  const label = make("label", { htmlFor: "pm-note-text" });
  const input = make("textarea", { id: "pm-note-text", rows: 3, maxLength: 2000 });
  const add = make("button", { type: "button", textContent: "Add note" });
  const cancel = make("button", { type: "button", className: "secondary", textContent: "Cancel" });
  const message = make("p", { className: "pm-note-message" });
  message.setAttribute("role", "status");
  panel.append(label, input, add, cancel, message);
  let pending = null;

  function close() {
    panel.hidden = true;
    pending = null;
    getView().focus();
  }

  async function submit() {
    if (!pending) return close();
    if (!input.value.trim()) { message.textContent = "Write the note first."; input.focus(); return; }
    add.disabled = true;
    message.textContent = "Adding…";
    try {
      await send("", { body: input.value, ...pending });
      panel.hidden = true;
      pending = null;
      say("Note added.");
      getView().focus();
    } catch (error) {
      message.textContent = "Not added: " + error.message + ".";
    } finally {
      add.disabled = false;
    }
  }

  add.addEventListener("click", submit);
  cancel.addEventListener("click", close);
  panel.addEventListener("keydown", (event) => {
    if (event.key === "Escape") { event.preventDefault(); close(); }
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) { event.preventDefault(); submit(); }
  });

  // The form below the list (the server's, also for use without script) sends without leaving the page, so
  // that unsaved text is not lost; in Markdown mode it notes the passage selected in the textarea.
  const form = section.querySelector("form.note-form");
  if (form) {
    const remember = () => {
      if (isRich() || textarea.selectionStart === textarea.selectionEnd) return;
      const text = textarea.value;
      const [start, end] = [textarea.selectionStart, textarea.selectionEnd];
      form.elements.quote.value = text.slice(start, end).slice(0, 1000);
      form.elements.prefix.value = text.slice(Math.max(0, start - CONTEXT), start);
      form.elements.suffix.value = text.slice(end, end + CONTEXT);
    };
    textarea.addEventListener("select", remember);
    textarea.addEventListener("keyup", remember);
    textarea.addEventListener("mouseup", remember);
    form.elements.quote.addEventListener("input", () => {
      form.elements.prefix.value = "";
      form.elements.suffix.value = "";
    });
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const fields = Object.fromEntries(new FormData(form));
      delete fields.csrf;
      try {
        await send("", fields);
        form.reset();
        say("Note added.");
      } catch (error) {
        say("Not added: " + error.message + ".");
      }
    });
  }

  return {
    panel,
    canNote,
    isOpen: () => !panel.hidden,
    // Opens the form for a note on the selection; answers whether there is one to note.
    command(state, dispatch) {
      if (!canNote || state.selection.empty) return false;
      if (!dispatch) return true;
      const { from, to } = state.selection;
      pending = selector(state.doc, from, to);
      if (pending.quote.length > 1000) {
        say("Select a shorter passage: a note quotes at most 1,000 characters.");
        pending = null;
        return true;
      }
      const shown = pending.quote.length > 60 ? pending.quote.slice(0, 60) + "…" : pending.quote;
      label.textContent = "Note on “" + shown + "”";
      input.value = "";
      message.textContent = "";
      panel.hidden = false;
      input.focus();
      return true;
    },
    // The plugin that highlights the open notes' passages and keeps the list's "removed" marks current.
    plugin() {
      return new Plugin({
        key,
        state: {
          init: (_config, state) => ({ decorations: highlights(state.doc, notes, active) }),
          apply(tr, value, _old, state) {
            const meta = tr.getMeta(key);
            if (meta === "notes") return { decorations: highlights(state.doc, notes, active) };
            let decorations = tr.docChanged ? value.decorations.map(tr.mapping, tr.doc) : value.decorations;
            if (meta === "missing") {
              // Passages that had gone may be back (an undo, a paste): look for those alone, so that the
              // others stay where editing moved them.
              const have = new Set(decorations.find().map((decoration) => decoration.spec.id));
              const missing = notes.filter((note) => !have.has(note.id));
              if (missing.length) decorations = decorations.add(state.doc, highlights(state.doc, missing, active).find());
            }
            return decorations === value.decorations ? value : { decorations };
          },
        },
        props: { decorations: (state) => key.getState(state).decorations },
        view: () => ({
          update(view, previous) {
            const now = anchoredIds(key.getState(view.state).decorations);
            if (now !== anchored) { anchored = now; drawList(); }
            const open = notes.filter((note) => note.quote && !note.resolved).length;
            if (view.state.doc !== previous.doc && (now ? now.split(",").length : 0) < open) {
              clearTimeout(lookAgain);
              lookAgain = setTimeout(() => { const v = getView(); v.dispatch(v.state.tr.setMeta(key, "missing")); }, 300);
            }
          },
        }),
      });
    },
    // The list as it should show at first, once the text is open.
    start(view) {
      anchored = view ? anchoredIds(key.getState(view.state).decorations) : "";
      drawList();
    },
  };
}
