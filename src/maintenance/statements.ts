import { ValidationError } from '../domain/index.js';

/** The maintenance statements `store.query` accepts besides SELECT (Athena's syntax for Iceberg tables). */
export type MaintenanceStatement =
  | { kind: 'optimize'; table: string }
  | { kind: 'vacuum'; table: string }
  | { kind: 'set-properties'; table: string; properties: Record<string, string> };

interface Token {
  kind: 'word' | 'quoted-identifier' | 'string' | 'symbol' | 'end';
  text: string;
  at: number;
}

/**
 * Recognises `OPTIMIZE <table> REWRITE DATA USING BIN_PACK`, `VACUUM <table>` and
 * `ALTER TABLE <table> SET TBLPROPERTIES ('k'='v', ...)`; undefined for any other statement (it
 * goes to the read-only SQL engine, which refuses everything but SELECT). Once the first words
 * say it is one of these, the rest must be exactly right: anything else is a ValidationError
 * saying what was expected where. Table names are bare words or quoted with "" or ``.
 */
export function parseMaintenanceStatement(sql: string): MaintenanceStatement | undefined {
  if (!/^(\s|--[^\n]*(\n|$)|\/\*[\s\S]*?\*\/)*(OPTIMIZE|VACUUM|ALTER)\b/i.test(sql)) return undefined;
  const tokens = tokenize(sql);
  const p = new Parser(sql, tokens);
  const first = p.peekWord();
  if (first === 'OPTIMIZE') {
    p.next();
    const table = p.table();
    p.keywords('REWRITE', 'DATA', 'USING', 'BIN_PACK');
    p.end();
    return { kind: 'optimize', table };
  }
  if (first === 'VACUUM') {
    p.next();
    const table = p.table();
    p.end();
    return { kind: 'vacuum', table };
  }
  if (first === 'ALTER' && tokens[1]?.kind === 'word' && tokens[1].text.toUpperCase() === 'TABLE') {
    // ALTER TABLE <t> SET TBLPROPERTIES is ours; any other ALTER stays the engine's to refuse.
    const afterName = tokens[3];
    if (!(afterName?.kind === 'word' && afterName.text.toUpperCase() === 'SET' && tokens[4]?.kind === 'word' && tokens[4].text.toUpperCase() === 'TBLPROPERTIES')) {
      return undefined;
    }
    p.keywords('ALTER', 'TABLE');
    const table = p.table();
    p.keywords('SET', 'TBLPROPERTIES');
    p.symbol('(');
    const properties: Record<string, string> = {};
    for (;;) {
      const key = p.string('a property name in single quotes');
      p.symbol('=');
      properties[key] = p.string('a property value in single quotes');
      if (p.peekSymbol(',')) {
        p.next();
        continue;
      }
      p.symbol(')');
      break;
    }
    p.end();
    return { kind: 'set-properties', table, properties };
  }
  return undefined;
}

class Parser {
  private i = 0;
  constructor(
    private readonly sql: string,
    private readonly tokens: Token[],
  ) {}

  next(): Token {
    return this.tokens[this.i++] ?? this.tokens[this.tokens.length - 1]!;
  }

  private peek(): Token {
    return this.tokens[this.i] ?? this.tokens[this.tokens.length - 1]!;
  }

  peekWord(): string | undefined {
    const t = this.peek();
    return t.kind === 'word' ? t.text.toUpperCase() : undefined;
  }

  peekSymbol(symbol: string): boolean {
    const t = this.peek();
    return t.kind === 'symbol' && t.text === symbol;
  }

  private fail(expected: string, token: Token): never {
    const got = token.kind === 'end' ? 'the end of the statement' : `'${this.sql.slice(token.at, token.at + Math.max(token.text.length, 1))}' at position ${token.at + 1}`;
    throw new ValidationError(`sql: expected ${expected}, got ${got}`, { field: 'sql' });
  }

  keywords(...words: string[]): void {
    for (const word of words) {
      const t = this.next();
      if (t.kind !== 'word' || t.text.toUpperCase() !== word) this.fail(word, t);
    }
  }

  table(): string {
    const t = this.next();
    if (t.kind === 'quoted-identifier' || (t.kind === 'word' && /^[A-Za-z0-9][A-Za-z0-9_-]*$/.test(t.text))) return t.text;
    return this.fail('a feature group name', t);
  }

  symbol(symbol: string): void {
    const t = this.next();
    if (t.kind !== 'symbol' || t.text !== symbol) this.fail(`'${symbol}'`, t);
  }

  string(what: string): string {
    const t = this.next();
    if (t.kind !== 'string') this.fail(what, t);
    return t.text;
  }

  end(): void {
    if (this.peekSymbol(';')) this.next();
    const t = this.next();
    if (t.kind !== 'end') this.fail('the end of the statement', t);
  }
}

function tokenize(sql: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < sql.length) {
    const c = sql[i]!;
    if (/\s/.test(c)) {
      i++;
    } else if (sql.startsWith('--', i)) {
      const nl = sql.indexOf('\n', i);
      i = nl === -1 ? sql.length : nl + 1;
    } else if (sql.startsWith('/*', i)) {
      const close = sql.indexOf('*/', i + 2);
      if (close === -1) throw new ValidationError(`sql: a comment opened at position ${i + 1} is never closed`, { field: 'sql' });
      i = close + 2;
    } else if (c === "'" || c === '"' || c === '`') {
      // Quotes double to escape themselves, as in SQL.
      let text = '';
      let j = i + 1;
      for (;;) {
        if (j >= sql.length) throw new ValidationError(`sql: the quote opened at position ${i + 1} is never closed`, { field: 'sql' });
        if (sql[j] === c) {
          if (sql[j + 1] === c) {
            text += c;
            j += 2;
            continue;
          }
          break;
        }
        text += sql[j];
        j++;
      }
      tokens.push({ kind: c === "'" ? 'string' : 'quoted-identifier', text, at: i });
      i = j + 1;
    } else if (/[A-Za-z0-9_]/.test(c)) {
      const m = /^[A-Za-z0-9_-]+/.exec(sql.slice(i))!;
      tokens.push({ kind: 'word', text: m[0], at: i });
      i += m[0].length;
    } else {
      tokens.push({ kind: 'symbol', text: c, at: i });
      i++;
    }
  }
  tokens.push({ kind: 'end', text: '', at: sql.length });
  return tokens;
}
