// Markdown in and out of the editor's document, in the dialect the server renders (CommonMark with tables,
// footnotes and strikethrough, raw HTML kept as written).
//
// Stored Markdown is the source of truth, so what the editor writes back must change only what the editor
// changed. Parsing remembers the source text of every top-level block; writing emits that text, byte for byte,
// for every block the editor did not touch (ProseMirror keeps untouched nodes as the same objects), and
// Markdown made by the serializer only for blocks that were edited or added.

import MarkdownIt from "markdown-it";
import footnotes from "markdown-it-footnote";
import { Schema } from "prosemirror-model";
import { schema as base, MarkdownParser, MarkdownSerializer, defaultMarkdownParser, defaultMarkdownSerializer }
  from "prosemirror-markdown";
import { tableNodes } from "prosemirror-tables";

const tables = tableNodes({
  tableGroup: "block",
  cellContent: "inline*",
  cellAttributes: {
    align: {
      default: null,
      getFromDOM: (dom) => dom.style.textAlign || null,
      setDOMAttr: (value, attrs) => { if (value) attrs["data-align"] = value; },
    },
  },
});

export const schema = new Schema({
  nodes: base.spec.nodes
    .update("image", {
      ...base.spec.nodes.get("image"),
      // Images on other sites are shown as their description: readers' pages drop them (see
      // src/content/markdown.rs), and an editor's browser should not ask another site for them either.
      toDOM(node) {
        if (isOwnAddress(node.attrs.src)) {
          const image = ["img", { src: node.attrs.src, alt: node.attrs.alt || "" }];
          // The title is the caption readers see under an image that stands alone.
          return node.attrs.title ? ["span", { class: "pm-image" }, image, ["span", { class: "pm-caption" }, node.attrs.title]]
            : image;
        }
        return ["span", { class: "pm-foreign-image", title: node.attrs.src }, "Image on another site, not shown to readers: " +
          (node.attrs.alt || "no description")];
      },
    })
    .append({
      // Raw HTML, edited as written: imports carry figures and embeds the Markdown has no words for.
      html_block: {
        content: "text*",
        group: "block",
        code: true,
        marks: "",
        defining: true,
        toDOM: () => ["pre", { class: "pm-source", "data-kind": "HTML" }, ["code", 0]],
        parseDOM: [{ tag: "pre.pm-source[data-kind=HTML]", preserveWhitespace: "full" }],
      },
      // Lines the parser gives no block for (link reference definitions), kept and editable as written.
      markdown_source: {
        content: "text*",
        group: "block",
        code: true,
        marks: "",
        defining: true,
        toDOM: () => ["pre", { class: "pm-source", "data-kind": "Markdown" }, ["code", 0]],
        parseDOM: [{ tag: "pre.pm-source[data-kind=Markdown]", preserveWhitespace: "full" }],
      },
      html_inline: {
        inline: true,
        group: "inline",
        atom: true,
        attrs: { source: {} },
        toDOM: (node) => ["code", { class: "pm-html", "data-source": node.attrs.source }, node.attrs.source],
        parseDOM: [{ tag: "code.pm-html", getAttrs: (dom) => ({ source: dom.getAttribute("data-source") }) }],
      },
      // A pull quote: a passage of the article set large beside it. Markdown has no word for it; it is written
      // as `<aside class="pull-quote">`, a blank line, its paragraphs, a blank line and `</aside>`, which the
      // server's renderer keeps (src/content/markdown.rs) and this parser reads back as one block.
      pull_quote: {
        content: "paragraph+",
        group: "block",
        defining: true,
        toDOM: () => ["aside", { class: "pm-pull-quote" }, 0],
        parseDOM: [{ tag: "aside.pm-pull-quote" }],
      },
      footnote_ref: {
        inline: true,
        group: "inline",
        atom: true,
        attrs: { label: {} },
        toDOM: (node) => ["sup", { class: "pm-footnote-ref", "data-label": node.attrs.label }, node.attrs.label],
        parseDOM: [{ tag: "sup.pm-footnote-ref", getAttrs: (dom) => ({ label: dom.getAttribute("data-label") }) }],
      },
      footnote: {
        content: "block+",
        group: "block",
        defining: true,
        attrs: { label: {} },
        toDOM: (node) => ["aside", { class: "pm-footnote", "data-label": node.attrs.label }, 0],
        parseDOM: [{ tag: "aside.pm-footnote", getAttrs: (dom) => ({ label: dom.getAttribute("data-label") }) }],
      },
      ...tables,
    }),
  marks: base.spec.marks.update("link", {
    attrs: {
      href: {},
      title: { default: null },
      // Written as `<https://…>` in the source: written so again (an autolink's text gets no smart punctuation).
      auto: { default: false },
      // Which link of the source this is: two neighbouring links to one address stay two.
      ref: { default: null },
    },
    inclusive: false,
    parseDOM: [{ tag: "a[href]", getAttrs: (dom) => ({ href: dom.getAttribute("href"), title: dom.getAttribute("title") }) }],
    toDOM: (mark) => ["a", { href: mark.attrs.href, title: mark.attrs.title }],
  }).append({
    strike: {
      toDOM: () => ["s", 0],
      parseDOM: [{ tag: "s" }, { tag: "del" }, { tag: "strike" }],
    },
  }),
});

/// A path on this site, as the server's sanitiser decides (`is_own_address` in src/content/markdown.rs).
export function isOwnAddress(value) {
  const url = String(value || "").trim().replace(/[\t\n\r]/g, "");
  const pathStart = url.search(/[/?#]/);
  const hasScheme = url.slice(0, pathStart < 0 ? url.length : pathStart).includes(":");
  const schemeRelative = url.startsWith("//") || url.startsWith("/\\") || url.startsWith("\\");
  return url !== "" && !hasScheme && !schemeRelative;
}

const tokenizer = MarkdownIt("commonmark", { html: true }).enable(["table", "strikethrough"]).use(footnotes);
// Addresses stay as written (markdown-it would encode them and turn host names into punycode); the server's
// renderer reads them as written.
tokenizer.normalizeLink = (url) => url;
tokenizer.normalizeLinkText = (text) => text;
// Footnote definitions stay where they are written (the plugin would move them to the end), and `^[…]`
// inline notes are text, as for the server's renderer.
tokenizer.core.ruler.disable("footnote_tail");
tokenizer.inline.ruler.disable("footnote_inline");

export const PULL_QUOTE_OPEN = '<aside class="pull-quote">';
const PULL_QUOTE_CLOSE = "</aside>";

// A pull quote's opening and closing HTML lines, with only paragraphs between them at the top level, become
// one block; any other HTML stays HTML.
tokenizer.core.ruler.push("pull_quote", (state) => {
  const tokens = state.tokens;
  for (let i = 0; i < tokens.length; i += 1) {
    const open = tokens[i];
    if (open.type !== "html_block" || open.level !== 0 || open.content.trim() !== PULL_QUOTE_OPEN) continue;
    let j = i + 1;
    while (j + 2 < tokens.length && tokens[j].type === "paragraph_open" && tokens[j].level === 0) j += 3;
    const close = tokens[j];
    if (j === i + 1 || !close || close.type !== "html_block" || close.content.trim() !== PULL_QUOTE_CLOSE) continue;
    open.type = "pull_quote_open";
    open.nesting = 1;
    close.type = "pull_quote_close";
    close.nesting = -1;
    i = j;
  }
});

function cellAttrs(token) {
  const style = token.attrGet("style") || "";
  const align = /text-align:\s*(left|right|center)/.exec(style);
  return { align: align ? align[1] : null };
}

let links = 0;

const parserTokens = {
  ...defaultMarkdownParser.tokens,
  link: {
    mark: "link",
    getAttrs: (token) => ({
      href: token.attrGet("href"),
      title: token.attrGet("title") || null,
      auto: token.markup === "autolink",
      ref: (links += 1),
    }),
  },
  html_block: { block: "html_block", noCloseToken: true },
  markdown_source: { block: "markdown_source", noCloseToken: true },
  pull_quote: { block: "pull_quote" },
  html_inline: { node: "html_inline", getAttrs: (token) => ({ source: token.content }) },
  s: { mark: "strike" },
  footnote_ref: { node: "footnote_ref", getAttrs: (token) => ({ label: token.meta.label }) },
  footnote_reference: { block: "footnote", getAttrs: (token) => ({ label: token.meta.label }) },
  table: { block: "table" },
  thead: { ignore: true },
  tbody: { ignore: true },
  tr: { block: "table_row" },
  th: { block: "table_header", getAttrs: cellAttrs },
  td: { block: "table_cell", getAttrs: cellAttrs },
};

const Token = new tokenizer.core.State("", tokenizer, {}).Token;

/// Parses `text` into a document and the source of each of its top-level blocks.
export function parse(text) {
  const source = text.replace(/\r\n?/g, "\n");
  const tokens = tokenizer.parse(source, {});
  const lines = source.split("\n");
  const lineStart = [0];
  for (const line of lines) lineStart.push(lineStart[lineStart.length - 1] + line.length + 1);
  // Blank as CommonMark reads it: spaces and tabs only (a no-break space is text).
  const blank = (line) => /^[ \t]*$/.test(line);

  // Top-level blocks: each level-0 token with everything it opens, and the lines it covers.
  const groups = [];
  for (let i = 0; i < tokens.length;) {
    let j = i;
    let depth = 0;
    do { depth += tokens[j].nesting; j += 1; } while (depth > 0 && j < tokens.length);
    let start = Infinity;
    let end = -Infinity;
    for (let k = i; k < j; k += 1) {
      if (tokens[k].map) {
        start = Math.min(start, tokens[k].map[0]);
        end = Math.max(end, tokens[k].map[1]);
      }
    }
    groups.push({ tokens: tokens.slice(i, j), start, end });
    i = j;
  }
  // Lines between blocks that are not blank (reference definitions) become blocks of their own.
  const blocks = [];
  let covered = 0;
  const keepLines = (from, to) => {
    while (from < to && blank(lines[from])) from += 1;
    while (to > from && blank(lines[to - 1])) to -= 1;
    if (from >= to) return;
    const token = new Token("markdown_source", "", 0);
    token.content = lines.slice(from, to).join("\n");
    blocks.push({ tokens: [token], start: from, end: to });
  };
  for (const group of groups) {
    if (!Number.isFinite(group.start)) return { doc: plainParse(source), blocks: null, source };
    keepLines(covered, group.start);
    let end = group.end;
    while (end > group.start && blank(lines[end - 1])) end -= 1;
    blocks.push({ ...group, end });
    covered = Math.max(covered, group.end);
  }
  keepLines(covered, lines.length);

  const parser = new MarkdownParser(schema, { parse: () => blocks.flatMap((block) => block.tokens) }, parserTokens);
  const doc = parser.parse(source);
  if (doc.childCount !== blocks.length) return { doc, blocks: null, source };
  const sources = blocks.map((block) => ({
    from: lineStart[block.start],
    to: lineStart[block.end] - 1,
  }));
  return { doc, blocks: sources, source };
}

function plainParse(source) {
  return new MarkdownParser(schema, tokenizer, parserTokens).parse(source);
}

function escapeCell(text) {
  return text.replace(/\n/g, " ").replace(/\|/g, "\\|");
}

const serializer = new MarkdownSerializer({
  ...defaultMarkdownSerializer.nodes,
  bullet_list(state, node) {
    state.renderList(node, "  ", () => (node.attrs.bullet || "-") + " ");
  },
  html_block(state, node) {
    state.text(node.textContent, false);
    state.closeBlock(node);
  },
  markdown_source(state, node) {
    state.text(node.textContent, false);
    state.closeBlock(node);
  },
  pull_quote(state, node) {
    state.write(PULL_QUOTE_OPEN + "\n\n");
    state.renderContent(node);
    state.write(PULL_QUOTE_CLOSE);
    state.closeBlock(node);
  },
  html_inline(state, node) {
    state.write(node.attrs.source);
  },
  footnote_ref(state, node) {
    state.write("[^" + node.attrs.label + "]");
  },
  footnote(state, node) {
    state.wrapBlock("    ", "[^" + node.attrs.label + "]: ", node, () => state.renderContent(node));
  },
  table(state, node) {
    const rows = [];
    node.forEach((row) => {
      const cells = [];
      row.forEach((cell) => cells.push(escapeCell(inlineMarkdown(cell))));
      rows.push(cells);
    });
    const aligns = [];
    node.firstChild.forEach((cell) => aligns.push(cell.attrs.align));
    const rule = aligns.map((align) =>
      align === "center" ? ":---:" : align === "right" ? "---:" : align === "left" ? ":---" : "---");
    const line = (cells) => "| " + cells.join(" | ") + " |";
    state.write([line(rows[0]), line(rule), ...rows.slice(1).map(line)].join("\n"));
    state.closeBlock(node);
  },
}, {
  ...defaultMarkdownSerializer.marks,
  link: {
    // An autolink stays one while its text is still its address.
    open(state, mark, parent, index) {
      const child = parent.child(index);
      state.inAutolink = mark.attrs.auto && child.isText && child.text === mark.attrs.href &&
        (index === parent.childCount - 1 || !mark.isInSet(parent.child(index + 1).marks));
      return state.inAutolink ? "<" : "[";
    },
    close(state, mark) {
      const auto = state.inAutolink;
      state.inAutolink = undefined;
      if (auto) return ">";
      const href = /[\s<>]/.test(mark.attrs.href) ? "<" + mark.attrs.href.replace(/[<>]/g, "\\$&") + ">"
        : mark.attrs.href.replace(/[()]/g, "\\$&");
      const title = mark.attrs.title ? ' "' + mark.attrs.title.replace(/"/g, '\\"') + '"' : "";
      return "](" + href + title + ")";
    },
    mixable: true,
  },
  strike: { open: "~~", close: "~~", mixable: true, expelEnclosingWhitespace: true },
});

// The Markdown of a cell's (or any textblock's) inline content.
function inlineMarkdown(textblock) {
  const paragraph = schema.nodes.paragraph.create(null, textblock.content);
  return serializer.serialize(schema.nodes.doc.create(null, paragraph)).trim();
}

/// Markdown for `doc`. With `parsed` (what `parse` returned for the text the document was opened from),
/// blocks that are still the ones parsed are written as they were, and the text between two such
/// neighbours too.
export function serialize(doc, parsed) {
  const original = new Map();
  if (parsed && parsed.blocks) parsed.doc.forEach((node, _offset, index) => original.set(node, index));
  const source = parsed ? parsed.source : "";
  let out = "";
  let previous = null;
  let first = true;
  doc.forEach((node) => {
    const index = original.has(node) ? original.get(node) : null;
    // Markdown has no empty paragraph: one left by pressing Enter twice is not written.
    if (index === null && node.type === schema.nodes.paragraph && node.content.size === 0) return;
    const text = index === null
      ? serializer.serialize(schema.nodes.doc.create(null, node)).replace(/\n+$/, "")
      : source.slice(parsed.blocks[index].from, parsed.blocks[index].to);
    if (first) {
      if (index === 0) out += source.slice(0, parsed.blocks[0].from);
    } else if (index !== null && previous !== null && index === previous + 1) {
      out += source.slice(parsed.blocks[previous].to, parsed.blocks[index].from);
    } else {
      out += "\n\n";
    }
    out += text;
    previous = index;
    first = false;
  });
  if (doc.childCount === 1 && doc.firstChild.isTextblock && doc.firstChild.content.size === 0) return "";
  const last = parsed && parsed.blocks ? parsed.blocks.length - 1 : -1;
  if (previous !== null && previous === last) out += source.slice(parsed.blocks[last].to);
  else out += "\n";
  return out;
}
