// A tolerant reader of keepalived.conf's grammar (keepalived 2.2.7 parser.c): one
// statement per line (keyword + words), `{ ... }` blocks nest, `!` and `#` start
// comments, "..." groups words. It never throws: unbalanced braces become notes,
// so import-keepalived can convert what it understands and report the rest. Template
// tags ({{ }}, {% %}) are single words, reported once per line.

export interface KaToken {
  /** Word without its quotes. */
  readonly text: string;
  /** 0-based offsets into the line, quotes included. */
  readonly start: number;
  readonly end: number;
}

export interface KaStatement {
  readonly keyword: string;
  readonly args: readonly KaToken[];
  /** The words after the keyword as written (quotes kept), '' when none. */
  readonly rest: string;
  readonly line: number;
  /** The source line, trimmed, for reports. */
  readonly text: string;
  /** Present when the statement opens a `{ }` block. */
  children: KaStatement[] | undefined;
  /**
   * A value block keyword (track_interface, virtual_ipaddress, ...) with words on its own
   * line and no `{`: keepalived 2.2.7 (lib/parser.c alloc_value_block) ignores the words
   * ("Block track_interface has extra parameters") and reads the lines that follow, up to
   * the first one ending in `}`, as the block's entries. This reader does not: these are
   * the lines keepalived swallows, for a warning.
   */
  swallows?: { readonly from: number; readonly to: number };
}

export interface KaNote {
  readonly line: number;
  readonly text: string;
  readonly reason: string;
  /** Set for template tags (I-TEMPLATE, an error); otherwise the import's default (I-UNCONVERTED). */
  readonly code?: 'I-TEMPLATE';
  readonly severity?: 'error';
}

export interface KaFile {
  readonly statements: readonly KaStatement[];
  readonly notes: readonly KaNote[];
}

/** keepalived's top-level blocks: seeing one inside a block means a `}` is missing. */
const TOP_LEVEL = new Set([
  'global_defs', 'vrrp_instance', 'vrrp_script', 'vrrp_sync_group', 'virtual_server', 'virtual_server_group',
  'static_ipaddress', 'static_routes', 'static_rules', 'vrrp_track_process', 'vrrp_track_file', 'linkbeat_interfaces',
]);

/**
 * keepalived keywords whose block is a list of values (read by lib/parser.c
 * alloc_value_block / read_value_block), not of keywords.
 */
const VALUE_BLOCKS = new Set([
  'virtual_ipaddress', 'virtual_ipaddress_excluded', 'unicast_peer', 'track_interface', 'track_script', 'track_file',
  'track_process', 'track_bfd', 'virtual_routes', 'virtual_rules', 'static_ipaddress', 'static_routes', 'static_rules',
  'notification_email', 'group', 'linkbeat_interfaces',
]);

type Piece = KaToken | '{' | '}';

/** A Jinja/Ansible/Salt template tag: `{{ expr }}`, `{% stmt %}`, `{# comment #}`. */
const TEMPLATE_OPEN = /^\{[{%#]/;
const TEMPLATE_CLOSE: Readonly<Record<string, string>> = { '{': '}}', '%': '%}', '#': '#}' };

interface LexedLine {
  readonly pieces: Piece[];
  /** The line holds template tags (lexed as single words, not braces). */
  readonly template: boolean;
}

function lexLine(line: string): LexedLine {
  const out: Piece[] = [];
  let template = false;
  let i = 0;
  while (i < line.length) {
    const c = line.charAt(i);
    if (/\s/.test(c)) {
      i++;
    } else if (TEMPLATE_OPEN.test(line.slice(i, i + 2)) && line.indexOf(TEMPLATE_CLOSE[line.charAt(i + 1)] ?? '}}', i + 2) >= 0) {
      // One word, so that its braces neither open nor close keepalived blocks. A tag must
      // be closed on its line: `{#...` alone is keepalived's `{` and a comment.
      const end = line.indexOf(TEMPLATE_CLOSE[line.charAt(i + 1)] ?? '}}', i + 2) + 2;
      out.push({ text: line.slice(i, end), start: i, end });
      template = true;
      i = end;
    } else if (c === '!' || c === '#') {
      break;
    } else if (c === '{' || c === '}') {
      out.push(c);
      i++;
    } else if (c === '"') {
      const close = line.indexOf('"', i + 1);
      const end = close < 0 ? line.length : close + 1;
      out.push({ text: line.slice(i + 1, close < 0 ? line.length : close), start: i, end });
      i = end;
    } else {
      let j = i;
      while (j < line.length && !/[\s{}]/.test(line.charAt(j))) j++;
      out.push({ text: line.slice(i, j), start: i, end: j });
      i = j;
    }
  }
  return { pieces: out, template };
}

/**
 * keepalived's conditional lines (parser.c, `-i ID`): `@ID rest` applies only when the
 * config id is ID, `@^ID rest` only when it is not. keepalived's default id is the host name.
 * Returns the pieces that apply, or undefined when the line does not.
 */
function applyCondition(pieces: Piece[], configId: string | undefined): Piece[] | undefined {
  const first = pieces[0];
  if (first === undefined || first === '{' || first === '}' || !first.text.startsWith('@')) return pieces;
  const negated = first.text.startsWith('@^');
  const id = first.text.slice(negated ? 2 : 1);
  const applies = configId !== undefined && (negated ? id !== configId : id === configId);
  return applies ? pieces.slice(1) : undefined;
}

export interface KaParseOptions {
  /** keepalived -i: which `@ID` lines apply; undefined = none of them (each is reported). */
  readonly configId?: string;
}

/** Whether the words of a template-only line are all `{% %}` / `{# #}` tags (no keepalived text). */
const onlyTemplateTags = (pieces: readonly Piece[]): boolean =>
  pieces.length > 0 && pieces.every((p) => p !== '{' && p !== '}' && /^\{[%#]/.test(p.text));

const TEMPLATE_REASON = 'template syntax ({{ }}, {% %}): this is a template, not a keepalived.conf; keepalived would read the tags literally. Render it first (with the tool that deploys it) and import the rendered file';

/**
 * The lines keepalived reads as entries of a value block opened without `{` (see
 * KaStatement.swallows): from the next line with words to the first line ending in `}`.
 * undefined when the next line is a lone `{` (then the block is read as written).
 */
function swallowedLines(lines: readonly (Piece[] | undefined)[], after: number): { from: number; to: number } | undefined {
  let i = after + 1;
  while (i < lines.length && (lines[i]?.length ?? 0) === 0) i++;
  if (i >= lines.length) return undefined;
  const next = lines[i] ?? [];
  if (next.length === 1 && next[0] === '{') return undefined;
  for (let j = i; j < lines.length; j++) {
    const p = lines[j] ?? [];
    if (p[p.length - 1] === '}') return { from: i + 1, to: j + 1 };
  }
  return { from: i + 1, to: lines.length };
}

export function parseKeepalived(source: string, options: KaParseOptions = {}): KaFile {
  const notes: KaNote[] = [];
  const root: KaStatement[] = [];
  // stack of open blocks: the statement list being filled and its owner
  const stack: { list: KaStatement[]; owner: KaStatement | undefined }[] = [{ list: root, owner: undefined }];
  const top = () => stack[stack.length - 1] ?? { list: root, owner: undefined };
  let last: KaStatement | undefined;

  const texts = source.split(/\r\n|\r|\n/);
  const lexed = texts.map(lexLine);
  // What each line contributes after keepalived's conditional (@id) handling and template tags.
  const effective = lexed.map((l) => {
    const pieces = applyCondition(l.pieces, options.configId);
    return pieces && l.template && onlyTemplateTags(pieces) ? [] : pieces;
  });

  texts.forEach((lineText, idx) => {
    const line = idx + 1;
    const pieces = effective[idx];
    if (pieces === undefined) {
      notes.push({
        line, text: lineText.trim(),
        reason: options.configId === undefined
          ? 'a conditional (@id) line: keepalived applies it only on the node whose config id (-i, default the host name) matches; pass --config-id ID to convert for that node'
          : `a conditional line for another config id than ${options.configId}: keepalived skips it there, and so does this conversion`,
      });
      return;
    }
    // One report per template line, however many tags it holds.
    if (lexed[idx]?.template) notes.push({ line, text: lineText.trim(), reason: TEMPLATE_REASON, code: 'I-TEMPLATE', severity: 'error' });
    let words: KaToken[] = [];
    const flush = (opensBlock: boolean, endOfLine = false): void => {
      if (words.length === 0) {
        if (opensBlock) {
          // `{` on its own line opens the block of the statement before it.
          if (last && last.children === undefined) {
            last.children = [];
            stack.push({ list: last.children, owner: last });
          } else {
            notes.push({ line, text: lineText.trim(), reason: 'a "{" that belongs to no statement' });
            stack.push({ list: [], owner: undefined });
          }
        }
        return;
      }
      const [kw, ...args] = words;
      const keyword = kw?.text ?? '';
      if (stack.length > 1 && TOP_LEVEL.has(keyword)) {
        const open = stack[stack.length - 1]?.owner;
        notes.push({
          line, text: lineText.trim(),
          reason: `missing "}": ${keyword} starts inside ${open ? `${open.keyword} ${open.args.map((a) => a.text).join(' ')} (line ${open.line})` : 'a block'}; the open block is closed here and this one read as a new top-level block; add the missing "}"`,
        });
        stack.length = 1;
      }
      const first = args[0];
      const lastArg = args[args.length - 1];
      const swallows = endOfLine && !opensBlock && args.length > 0 && VALUE_BLOCKS.has(keyword) ? swallowedLines(effective, idx) : undefined;
      const stmt: KaStatement = {
        keyword, args, line, text: lineText.trim(),
        rest: first && lastArg ? lineText.slice(first.start, lastArg.end) : '',
        children: undefined,
        ...(swallows ? { swallows } : {}),
      };
      top().list.push(stmt);
      last = stmt;
      if (opensBlock) {
        stmt.children = [];
        stack.push({ list: stmt.children, owner: stmt });
      }
      words = [];
    };
    for (const p of pieces) {
      if (p === '{') flush(true);
      else if (p === '}') {
        flush(false);
        if (stack.length > 1) stack.pop();
        else notes.push({ line, text: lineText.trim(), reason: 'a "}" that closes no block' });
        last = undefined;
      } else words.push(p);
    }
    flush(false, true);
  });
  for (let i = stack.length - 1; i >= 1; i--) {
    const o = stack[i]?.owner;
    if (o) notes.push({ line: o.line, text: o.text, reason: `the block of ${o.keyword} is never closed (missing "}" at the end of the file)` });
  }
  // A line is reported once per reason, however often its pieces repeat the problem.
  const seen = new Set<string>();
  const unique = notes.filter((n) => !seen.has(`${n.line}\0${n.reason}`) && seen.add(`${n.line}\0${n.reason}`) !== undefined);
  return { statements: root, notes: unique };
}
