/**
 * The Milvus SQL dialect as a CodeMirror 6 stream language: the grammar's keywords and column
 * types, strings in both quotings, numbers (and so the numbers of vector literals), `--` and
 * `/* *\/` comments, `:name` binds, `backtick` names and the vector operators.
 */
import { LanguageSupport, StreamLanguage, StringStream } from '@codemirror/language';
import { KEYWORDS, TYPES } from './keywords';

/** The mimetype this kernel's cells get (see milvus_kernel/frontends/kernel.py). */
export const MIME = 'text/x-milvus-sql';
export const NAME = 'milvus-sql';

interface State {
  comment: boolean; // inside a /* block comment */ that runs over lines
}

const keywords = new Set(KEYWORDS);
const types = new Set(TYPES);
const NUMBER = /^(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?/;
const OPERATOR = /^(?:<->|<=>|<#>|==|!=|<>|<=|>=|&&|\|\||\*\*|[=<>+\-*/%!])/;

function blockComment(stream: StringStream, state: State): string {
  state.comment = !stream.skipTo('*/');
  if (state.comment) {
    stream.skipToEnd();
  } else {
    stream.match('*/');
  }
  return 'comment';
}

function token(stream: StringStream, state: State): string | null {
  if (state.comment) {
    return blockComment(stream, state);
  }
  if (stream.eatSpace()) {
    return null;
  }
  if (stream.match('--')) {
    stream.skipToEnd();
    return 'comment';
  }
  if (stream.match('/*')) {
    return blockComment(stream, state);
  }
  if (stream.match(/^'(?:[^']|'')*'?/)) {
    return 'string';
  }
  if (stream.match(/^"(?:[^"\\]|\\.)*"?/)) {
    return 'string';
  }
  if (stream.match(/^`[^`\n]*`?/)) {
    return 'variableName.special';
  }
  if (stream.match(/^:[A-Za-z_][A-Za-z0-9_]*/)) {
    return 'variableName.local';
  }
  if (stream.match(NUMBER)) {
    return 'number';
  }
  const word = stream.match(/^[A-Za-z_][A-Za-z0-9_]*/) as RegExpMatchArray | null;
  if (word) {
    const upper = word[0].toUpperCase();
    if (keywords.has(upper)) {
      return 'keyword';
    }
    return types.has(upper) ? 'typeName' : 'variableName';
  }
  if (stream.match(OPERATOR)) {
    return 'operator';
  }
  if (stream.match(/^[[\]]/)) {
    return 'squareBracket';
  }
  stream.next();
  return 'punctuation';
}

export const milvusSql = StreamLanguage.define<State>({
  name: NAME,
  startState: () => ({ comment: false }),
  copyState: state => ({ ...state }),
  token,
  languageData: {
    commentTokens: { line: '--', block: { open: '/*', close: '*/' } },
    closeBrackets: { brackets: ['(', '[', '{', "'", '"', '`'] }
  }
});

export function milvusSqlSupport(): LanguageSupport {
  return new LanguageSupport(milvusSql);
}
