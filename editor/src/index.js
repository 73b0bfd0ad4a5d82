// The article body's rich editor. It takes the place of the body's Markdown textarea, which stays in the form
// (hidden) and holds the Markdown the form sends: the autosave, live preview, local copy and lengths in
// admin.js read it as before. Without script, or after "Edit as Markdown", the textarea is the editor.

import { EditorState, Plugin, TextSelection } from "prosemirror-state";
import { EditorView } from "prosemirror-view";
import { keymap } from "prosemirror-keymap";
import { history, undo, redo } from "prosemirror-history";
import { baseKeymap, toggleMark, setBlockType, wrapIn, lift, chainCommands, exitCode } from "prosemirror-commands";
import { wrapInList, splitListItem, liftListItem, sinkListItem } from "prosemirror-schema-list";
import { inputRules, wrappingInputRule, textblockTypeInputRule, InputRule } from "prosemirror-inputrules";
import { dropCursor } from "prosemirror-dropcursor";
import { gapCursor } from "prosemirror-gapcursor";
import { tableEditing, goToNextCell, addRowAfter, addColumnAfter, deleteRow, deleteColumn, deleteTable, isInTable }
  from "prosemirror-tables";
import { schema, parse, serialize } from "./markdown.js";
import { setupNotes } from "./notes.js";
import { make, postForJson } from "./util.js";

const nodes = schema.nodes;
const marks = schema.marks;
const SYNC_AFTER = 250; // ms after typing stops before the textarea (and so admin.js) gets the Markdown
const MODE_KEY = "newsroom.editor-mode";

// `**bold**`, `*italic*`, `` `code` `` and `~~struck~~` become marked text as the closing mark is typed.
function markRule(pattern, markType) {
  return new InputRule(pattern, (state, match, start, end) => {
    const text = match[2];
    const from = start + match[1].length;
    const tr = state.tr.delete(from, end).insertText(text, from);
    tr.addMark(from, from + text.length, markType.create());
    tr.removeStoredMark(markType);
    return tr;
  });
}

// No typographic rules: the server makes curly quotes and dashes when it renders (smart punctuation), so the
// source keeps what was typed.
function rules() {
  return inputRules({
    rules: [
      textblockTypeInputRule(/^(#{2,4})\s$/, nodes.heading, (match) => ({ level: match[1].length })),
      wrappingInputRule(/^\s*>\s$/, nodes.blockquote),
      wrappingInputRule(/^\s*([-+*])\s$/, nodes.bullet_list, { tight: true }),
      wrappingInputRule(/^(\d+)\.\s$/, nodes.ordered_list, (match) => ({ order: +match[1], tight: true }),
        (match, node) => node.childCount + node.attrs.order === +match[1]),
      textblockTypeInputRule(/^```$/, nodes.code_block),
      new InputRule(/^(?:---|\*\*\*)$/, (state, _match, start, end) => {
        const $start = state.doc.resolve(start);
        if (!$start.parent.isTextblock || $start.parent.type !== nodes.paragraph) return null;
        return state.tr.replaceRangeWith($start.before(), $start.after(), nodes.horizontal_rule.create())
          .insert($start.before() + 1, nodes.paragraph.create());
      }),
      markRule(/(^|[^*])\*\*([^*]+)\*\*$/, marks.strong),
      markRule(/(^|[^*\w])\*([^*\s][^*]*)\*$/, marks.em),
      markRule(/(^|[^_\w])_([^_\s][^_]*)_$/, marks.em),
      markRule(/(^|[^`])`([^`]+)`$/, marks.code),
      markRule(/(^|[^~])~~([^~]+)~~$/, marks.strike),
    ],
  });
}

function keys(panel, notes) {
  const mod = {
    "Mod-z": undo,
    "Shift-Mod-z": redo,
    "Mod-y": redo,
    "Mod-b": toggleMark(marks.strong),
    "Mod-i": toggleMark(marks.em),
    "Mod-`": toggleMark(marks.code),
    "Shift-Mod-x": toggleMark(marks.strike),
    "Mod-k": () => { panel.openLink(); return true; },
    "Ctrl-Alt-m": (state, dispatch) => Boolean(notes) && notes.command(state, dispatch),
    "Shift-Ctrl-0": setBlockType(nodes.paragraph),
    "Shift-Ctrl-2": setBlockType(nodes.heading, { level: 2 }),
    "Shift-Ctrl-3": setBlockType(nodes.heading, { level: 3 }),
    "Shift-Ctrl-4": setBlockType(nodes.heading, { level: 4 }),
    "Shift-Ctrl-8": wrapInList(nodes.bullet_list, { tight: true }),
    "Shift-Ctrl-9": wrapInList(nodes.ordered_list, { tight: true }),
    "Ctrl->": wrapIn(nodes.blockquote),
    "Shift-Enter": chainCommands(exitCode, insertBreak),
    "Mod-Enter": chainCommands(exitCode, insertBreak),
    Enter: splitListItem(nodes.list_item),
    // Tab moves between table cells and nests list items; elsewhere it leaves the editor, as it does
    // everywhere else on the page, so that keyboard users are never trapped.
    Tab: chainCommands(goToNextCell(1), sinkListItem(nodes.list_item)),
    "Shift-Tab": chainCommands(goToNextCell(-1), liftListItem(nodes.list_item)),
  };
  return keymap(mod);
}

function insertBreak(state, dispatch) {
  if (dispatch) dispatch(state.tr.replaceSelectionWith(nodes.hard_break.create()).scrollIntoView());
  return true;
}

function markActive(state, type) {
  const { from, $from, to, empty } = state.selection;
  if (empty) return Boolean(type.isInSet(state.storedMarks || $from.marks()));
  return state.doc.rangeHasMark(from, to, type);
}

function blockActive(state, type, attrs) {
  const { $from, to } = state.selection;
  if (to > $from.end()) return false;
  const parent = $from.parent;
  return parent.type === type && (!attrs || Object.keys(attrs).every((key) => parent.attrs[key] === attrs[key]));
}

function wrappedIn(state, type) {
  const { $from } = state.selection;
  for (let depth = $from.depth; depth > 0; depth -= 1) if ($from.node(depth).type === type) return true;
  return false;
}

function labels() {
  const used = new Set();
  return { used, next: () => { let n = 1; while (used.has(String(n))) n += 1; return String(n); } };
}

// A footnote: a numbered mark where the cursor is and its note at the end of the text, cursor in the note.
function insertFootnote(state, dispatch) {
  // The toolbar asks every command, on every keystroke, whether it applies: answer before walking the text.
  if (!dispatch) return true;
  const taken = labels();
  state.doc.descendants((node) => {
    if (node.type === nodes.footnote_ref || node.type === nodes.footnote) taken.used.add(node.attrs.label);
  });
  const label = taken.next();
  let tr = state.tr.replaceSelectionWith(nodes.footnote_ref.create({ label }));
  const end = tr.doc.content.size;
  tr = tr.insert(end, nodes.footnote.create({ label }, nodes.paragraph.create()));
  tr.setSelection(TextSelection.create(tr.doc, end + 2)).scrollIntoView();
  dispatch(tr);
  return true;
}

function insertTable(state, dispatch) {
  const cell = (type) => type.create();
  const row = (type) => nodes.table_row.create(null, [cell(type), cell(type), cell(type)]);
  const table = nodes.table.create(null, [row(nodes.table_header), row(nodes.table_cell), row(nodes.table_cell)]);
  if (dispatch) dispatch(state.tr.replaceSelectionWith(table).scrollIntoView());
  return true;
}

function insertRule(state, dispatch) {
  if (dispatch) dispatch(state.tr.replaceSelectionWith(nodes.horizontal_rule.create()).scrollIntoView());
  return true;
}

// --- The toolbar --------------------------------------------------------------------------------------------

function button(label, title, run, isOn) {
  const element = make("button", { type: "button", className: "pm-button", textContent: label, title });
  // The name starts with the visible text (H2, Footnote…), so that what is seen is what voice control hears.
  element.setAttribute("aria-label", /[\p{L}\p{N}]/u.test(label) ? label + ", " + title : title);
  if (isOn) element.setAttribute("aria-pressed", "false");
  return { element, run, isOn };
}

function toolbar(view, panel, images, notes, switchMode) {
  const bar = document.createElement("div");
  bar.className = "pm-toolbar";
  bar.setAttribute("role", "toolbar");
  bar.setAttribute("aria-label", "Formatting");
  bar.setAttribute("aria-controls", view.dom.id);
  const items = [
    button("¶", "Paragraph (Ctrl+Shift+0)", setBlockType(nodes.paragraph), (s) => blockActive(s, nodes.paragraph)),
    button("H2", "Subheading (Ctrl+Shift+2, or ## and a space)", setBlockType(nodes.heading, { level: 2 }),
      (s) => blockActive(s, nodes.heading, { level: 2 })),
    button("H3", "Smaller subheading (Ctrl+Shift+3)", setBlockType(nodes.heading, { level: 3 }),
      (s) => blockActive(s, nodes.heading, { level: 3 })),
    button("B", "Bold (Ctrl+B, or **text**)", toggleMark(marks.strong), (s) => markActive(s, marks.strong)),
    button("I", "Italic (Ctrl+I, or *text*)", toggleMark(marks.em), (s) => markActive(s, marks.em)),
    button("S", "Struck through (Ctrl+Shift+X, or ~~text~~)", toggleMark(marks.strike),
      (s) => markActive(s, marks.strike)),
    button("Link", "Link (Ctrl+K)", (_state, dispatch) => { if (dispatch) panel.openLink(); return true; },
      (s) => markActive(s, marks.link)),
    button("• List", "Bulleted list (Ctrl+Shift+8, or - and a space)", wrapInList(nodes.bullet_list, { tight: true }),
      (s) => wrappedIn(s, nodes.bullet_list)),
    button("1. List", "Numbered list (Ctrl+Shift+9, or 1. and a space)", wrapInList(nodes.ordered_list, { tight: true }),
      (s) => wrappedIn(s, nodes.ordered_list)),
    button("Quote", "Quotation (Ctrl+>, or > and a space)", (state, dispatch) =>
      (wrappedIn(state, nodes.blockquote) ? lift(state, dispatch) : wrapIn(nodes.blockquote)(state, dispatch)),
      (s) => wrappedIn(s, nodes.blockquote)),
    button("Pull quote", "Pull quote: a passage set large beside the text", (state, dispatch) =>
      (wrappedIn(state, nodes.pull_quote) ? lift(state, dispatch) : wrapIn(nodes.pull_quote)(state, dispatch)),
      (s) => wrappedIn(s, nodes.pull_quote)),
    button("Image", "Image: upload one, or describe the one selected (or drop or paste an image in the text)",
      (state, dispatch) => {
        if (dispatch) {
          const at = selectedImage(state);
          if (at === null) images.openUpload(null, state.selection.from);
          else images.openEdit(at);
        }
        return true;
      }, (s) => selectedImage(s) !== null),
    button("Footnote", "a numbered note printed at the end of the article", insertFootnote),
    button("Table", "Table", insertTable),
    button("—", "Horizontal rule (---)", insertRule),
    button("Undo", "Undo (Ctrl+Z)", undo),
    button("Redo", "Redo (Ctrl+Shift+Z)", redo),
  ];
  // Notes are for the team and never printed; the button is there only where the page lists notes.
  if (notes) {
    items.splice(items.length - 2, 0, button("Add note", "a note for the team on the selected passage (Ctrl+Alt+M)",
      (state, dispatch) => notes.command(state, dispatch)));
  }
  const tableItems = [
    button("+ Row", "Add a row below", addRowAfter),
    button("+ Column", "Add a column to the right", addColumnAfter),
    button("− Row", "Delete this row", deleteRow),
    button("− Column", "Delete this column", deleteColumn),
    button("− Table", "Delete the table", deleteTable),
  ];
  const tableGroup = document.createElement("span");
  tableGroup.className = "pm-table-tools";
  for (const item of items) bar.append(item.element);
  for (const item of tableItems) tableGroup.append(item.element);
  bar.append(tableGroup);
  const mode = make("button", { type: "button", className: "pm-button pm-mode", textContent: "Edit as Markdown" });
  mode.addEventListener("click", switchMode);
  bar.append(mode);
  const all = items.concat(tableItems);
  bar.addEventListener("mousedown", (event) => {
    // Keep the selection in the text while a button is pressed.
    if (event.target.closest(".pm-button:not(.pm-mode)")) event.preventDefault();
  });
  bar.addEventListener("click", (event) => {
    const item = all.find((candidate) => candidate.element === event.target.closest("button"));
    if (!item) return;
    item.run(view.state, view.dispatch, view);
    if (!panel.isOpen() && !images.isOpen() && !(notes && notes.isOpen())) view.focus();
  });
  return {
    dom: bar,
    update(state) {
      // Touch the DOM only where something changed: this runs on every keystroke.
      for (const item of all) {
        const disabled = !item.run(state, null, view);
        if (item.element.disabled !== disabled) item.element.disabled = disabled;
        if (!item.isOn) continue;
        const pressed = String(Boolean(item.isOn(state)));
        if (item.element.getAttribute("aria-pressed") !== pressed) item.element.setAttribute("aria-pressed", pressed);
      }
      const outside = !isInTable(state);
      if (tableGroup.hidden !== outside) tableGroup.hidden = outside;
    },
  };
}

// The link form under the toolbar: an address for the selected text, or for the link the cursor is in.
function linkPanel(getView) {
  const form = document.createElement("div");
  form.className = "pm-panel";
  form.hidden = true;
  form.setAttribute("role", "group");
  form.setAttribute("aria-label", "Link");
  const label = document.createElement("label");
  label.textContent = "Link address";
  const input = make("input", { type: "url", id: "pm-link-address", placeholder: "https://…" });
  label.htmlFor = input.id;
  const apply = make("button", { type: "button", textContent: "Apply" });
  const remove = make("button", { type: "button", className: "secondary", textContent: "Remove link" });
  const cancel = make("button", { type: "button", className: "secondary", textContent: "Cancel" });
  form.append(label, input, apply, remove, cancel);
  let range = null;

  function linkRange(state) {
    const { $from, from, to, empty } = state.selection;
    const mark = marks.link.isInSet($from.marks()) || (!empty && state.doc.rangeHasMark(from, to, marks.link) &&
      $from.nodeAfter && marks.link.isInSet($from.nodeAfter.marks));
    if (!mark || !empty) return { from, to, href: mark ? mark.attrs.href : "" };
    // The whole link around the cursor.
    let start = $from.pos;
    let end = $from.pos;
    const parent = $from.parent;
    const base = $from.start();
    parent.forEach((child, offset) => {
      if (mark.isInSet(child.marks)) {
        const childFrom = base + offset;
        const childTo = childFrom + child.nodeSize;
        if (childFrom <= $from.pos && childTo >= $from.pos) { start = Math.min(start, childFrom); end = Math.max(end, childTo); }
      }
    });
    return { from: start, to: end, href: mark.attrs.href };
  }

  function close() {
    form.hidden = true;
    range = null;
    getView().focus();
  }

  function commit() {
    const view = getView();
    const href = input.value.trim();
    if (!range) return close();
    let tr = view.state.tr;
    if (!href) {
      tr = tr.removeMark(range.from, range.to, marks.link);
    } else if (range.from === range.to) {
      tr = tr.insertText(href, range.from).addMark(range.from, range.from + href.length, marks.link.create({ href }));
    } else {
      tr = tr.removeMark(range.from, range.to, marks.link).addMark(range.from, range.to, marks.link.create({ href }));
    }
    view.dispatch(tr);
    close();
  }

  apply.addEventListener("click", commit);
  remove.addEventListener("click", () => { input.value = ""; commit(); });
  cancel.addEventListener("click", close);
  input.addEventListener("keydown", (event) => {
    if (event.key === "Enter") { event.preventDefault(); commit(); }
    if (event.key === "Escape") { event.preventDefault(); close(); }
  });
  return {
    dom: form,
    isOpen: () => !form.hidden,
    openLink() {
      range = linkRange(getView().state);
      input.value = range.href;
      remove.hidden = !range.href;
      form.hidden = false;
      input.focus();
    },
  };
}

// The image form under the toolbar: for a file dropped, pasted or chosen (uploaded to the media library, which
// needs its alt text, then put in the text as a paragraph of its own, so that readers get it as a figure with
// its caption), or for the image selected in the text (its alt text and caption).
function imagePanel(getView, form) {
  const box = document.createElement("div");
  box.className = "pm-panel pm-image-panel";
  box.hidden = true;
  box.setAttribute("role", "group");
  box.setAttribute("aria-label", "Image");
  const field = (name, text, type) => {
    const label = document.createElement("label");
    label.textContent = text;
    const input = document.createElement("input");
    input.type = type || "text";
    input.id = "pm-image-" + name;
    if (type !== "file") input.maxLength = 1000;
    label.htmlFor = input.id;
    const row = document.createElement("p");
    row.append(label, input);
    return { row, input };
  };
  const file = field("file", "Image file (JPEG, PNG, WebP or GIF)", "file");
  file.input.accept = "image/jpeg,image/png,image/webp,image/gif";
  const alt = field("alt", "Alt text: what the image shows, for readers who cannot see it");
  const caption = field("caption", "Caption");
  const credit = field("credit", "Credit");
  const chosen = make("p", { className: "help" });
  const go = make("button", { type: "button" });
  const cancel = make("button", { type: "button", className: "secondary", textContent: "Cancel" });
  const message = make("p", { className: "pm-image-message" });
  message.setAttribute("role", "status");
  const buttons = make("p", { className: "inline" });
  buttons.append(go, cancel);
  box.append(chosen, file.row, alt.row, caption.row, credit.row, buttons, message);
  let pending = null; // { file, pos } for an upload, { pos } for the selected image

  function close() {
    box.hidden = true;
    pending = null;
    getView().focus();
  }

  function titleOf(captionText, creditText) {
    return [captionText.trim(), creditText.trim() ? "(" + creditText.trim() + ")" : ""].filter(Boolean).join(" ") || null;
  }

  // The image in a paragraph of its own: in place of an empty paragraph, or after the block at `pos`.
  function place(attrs, pos) {
    const view = getView();
    const { state } = view;
    const image = nodes.paragraph.create(null, nodes.image.create(attrs));
    const $pos = state.doc.resolve(Math.min(pos, state.doc.content.size));
    let tr;
    if ($pos.parent.type === nodes.paragraph && $pos.parent.content.size === 0) {
      tr = state.tr.replaceWith($pos.before(), $pos.after(), image);
    } else {
      const after = $pos.depth > 0 ? $pos.after(1) : $pos.pos;
      tr = state.tr.insert(after, image);
    }
    view.dispatch(tr.scrollIntoView());
  }

  async function upload() {
    const chosenFile = pending.file || file.input.files[0];
    if (!chosenFile) { message.textContent = "Choose an image file first."; file.input.focus(); return; }
    if (!alt.input.value.trim()) { message.textContent = "Describe the image in its alt text first."; alt.input.focus(); return; }
    const data = new FormData();
    data.append("csrf", form.elements.csrf.value);
    data.append("alt", alt.input.value);
    data.append("caption", caption.input.value);
    data.append("credit", credit.input.value);
    data.append("file", chosenFile);
    go.disabled = true;
    message.textContent = "Uploading…";
    try {
      const answer = await postForJson("/admin/media/insert", data);
      const pos = pending.pos;
      box.hidden = true;
      pending = null;
      place({ src: answer.src, alt: answer.alt, title: titleOf(answer.caption, answer.credit) }, pos);
      getView().focus();
    } catch (error) {
      message.textContent = "Not uploaded: " + error.message + ".";
    } finally {
      go.disabled = false;
    }
  }

  function edit() {
    const view = getView();
    const node = view.state.doc.nodeAt(pending.pos);
    if (!node || node.type !== nodes.image) return close();
    if (!alt.input.value.trim()) { message.textContent = "Describe the image in its alt text first."; alt.input.focus(); return; }
    view.dispatch(view.state.tr.setNodeMarkup(pending.pos, null, {
      ...node.attrs, alt: alt.input.value.trim(), title: caption.input.value.trim() || null,
    }));
    close();
  }

  go.addEventListener("click", () => (pending && pending.edit ? edit() : upload()));
  cancel.addEventListener("click", close);
  box.addEventListener("keydown", (event) => {
    if (event.key === "Escape") { event.preventDefault(); close(); }
    if (event.key === "Enter" && event.target.type !== "file" && event.target.tagName === "INPUT") {
      event.preventDefault();
      go.click();
    }
  });

  return {
    dom: box,
    isOpen: () => !box.hidden,
    // A file dropped or pasted at `pos`, or (no file) one to choose.
    openUpload(dropped, pos) {
      pending = { file: dropped || null, pos };
      for (const input of [alt.input, caption.input, credit.input]) input.value = "";
      file.input.value = "";
      file.row.hidden = Boolean(dropped);
      credit.row.hidden = false;
      chosen.textContent = dropped ? "Adding “" + dropped.name + "” to the media library and to the text." : "";
      go.textContent = "Upload and insert";
      message.textContent = "";
      box.hidden = false;
      (dropped ? alt.input : file.input).focus();
    },
    // The image selected in the text: its alt text and caption.
    openEdit(pos) {
      const node = getView().state.doc.nodeAt(pos);
      pending = { pos, edit: true };
      alt.input.value = node.attrs.alt || "";
      caption.input.value = node.attrs.title || "";
      file.row.hidden = true;
      credit.row.hidden = true;
      chosen.textContent = "The image's description and caption in this article.";
      go.textContent = "Apply";
      message.textContent = "";
      box.hidden = false;
      alt.input.focus();
    },
  };
}

function selectedImage(state) {
  const { selection } = state;
  return selection.node && selection.node.type === nodes.image ? selection.from : null;
}

function imageFiles(list) {
  return Array.from(list || []).filter((file) => /^image\/(jpeg|png|webp|gif)$/.test(file.type));
}

// --- Mounting ------------------------------------------------------------------------------------------------

function mount(textarea) {
  const form = textarea.form;
  const wrapper = document.createElement("div");
  wrapper.className = "pm-editor";
  const label = document.querySelector("label[for='" + textarea.id + "']");
  let parsed = parse(textarea.value);
  let synced = true;
  let timer = null;
  let view = null;
  const panel = linkPanel(() => view);
  const images = imagePanel(() => view, form);
  const notes = setupNotes({ getView: () => view, isRich: () => !wrapper.hidden, textarea });
  let bar = null;

  function sync() {
    clearTimeout(timer);
    timer = null;
    if (synced) return;
    synced = true;
    textarea.value = serialize(view.state.doc, parsed);
    textarea.dispatchEvent(new Event("input", { bubbles: true }));
  }

  function stateFor(doc) {
    return EditorState.create({
      doc,
      plugins: [
        rules(),
        keys(panel, notes),
        keymap(baseKeymap),
        history(),
        dropCursor(),
        gapCursor(),
        tableEditing(),
        new Plugin({ view: () => ({ update: (v) => bar && bar.update(v.state) }) }),
        ...(notes ? [notes.plugin()] : []),
      ],
    });
  }

  const host = document.createElement("div");
  view = new EditorView(host, {
    state: stateFor(parsed.doc),
    attributes: {
      id: textarea.id + "-rich",
      class: "pm-content",
      role: "textbox",
      "aria-multiline": "true",
      "aria-labelledby": label ? (label.id || (label.id = textarea.id + "-label")) : "",
      "aria-describedby": textarea.getAttribute("aria-describedby") || "",
      spellcheck: "true",
    },
    handlePaste(_view, event) {
      const files = imageFiles(event.clipboardData && event.clipboardData.files);
      if (!files.length) return false;
      images.openUpload(files[0], view.state.selection.from);
      return true;
    },
    handleDrop(_view, event) {
      const files = imageFiles(event.dataTransfer && event.dataTransfer.files);
      if (!files.length) return false;
      const at = view.posAtCoords({ left: event.clientX, top: event.clientY });
      images.openUpload(files[0], at ? at.pos : view.state.selection.from);
      return true;
    },
    dispatchTransaction(tr) {
      view.updateState(view.state.apply(tr));
      if (tr.docChanged) {
        synced = false;
        clearTimeout(timer);
        timer = setTimeout(sync, SYNC_AFTER);
      }
    },
  });

  // Opens the text again from the textarea (after Markdown editing, or when admin.js restores a copy).
  function reload() {
    parsed = parse(textarea.value);
    view.updateState(stateFor(parsed.doc));
    bar.update(view.state);
    synced = true;
  }

  // The way back from the textarea to rich text sits after the textarea, shown only while it is in use.
  const back = make("button", { type: "button", className: "secondary pm-back", textContent: "Edit as rich text" });

  function setMode(rich) {
    if (rich) reload();
    else sync();
    wrapper.hidden = !rich;
    textarea.hidden = rich;
    back.hidden = rich;
    try { localStorage.setItem(MODE_KEY, rich ? "rich" : "markdown"); } catch (error) { /* not kept */ }
    if (notes) notes.start(view);
  }

  bar = toolbar(view, panel, images, notes, () => { setMode(false); textarea.focus(); });
  back.addEventListener("click", () => { setMode(true); view.focus(); });
  wrapper.append(bar.dom, panel.dom, images.dom, ...(notes ? [notes.panel] : []), view.dom);
  textarea.before(wrapper);
  textarea.after(back);
  bar.update(view.state);
  textarea.required = false; // hidden fields cannot show the browser's message; the server checks it
  if (label) label.textContent = "Body";

  // Whatever reads the form gets the latest text: a post (Save, Preview, a style fix), an autosave, a copy.
  form.addEventListener("formdata", (event) => {
    if (!wrapper.hidden) { sync(); event.formData.set(textarea.name, textarea.value); }
  });
  textarea.addEventListener("newsroom:replaced", () => { if (!wrapper.hidden) reload(); });

  let rich = true;
  try { rich = localStorage.getItem(MODE_KEY) !== "markdown"; } catch (error) { /* rich by default */ }
  setMode(rich);

  return {
    view,
    // The Markdown the editor would send now; `fresh` writes every block anew (tests check it means the same).
    markdown: (fresh) => serialize(view.state.doc, fresh ? null : parsed),
    // Hands the textarea the latest text now (admin.js asks before the page is left).
    sync: () => { if (!wrapper.hidden) sync(); },
  };
}

const body = document.querySelector("form.editor textarea#body");
if (body) {
  window.newsroomEditor = mount(body);
  performance.mark("newsroom-editor-ready");
}
