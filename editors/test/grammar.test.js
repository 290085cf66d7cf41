// Tokenizes sample lines with vscode-textmate (the engine VS Code uses)
// and checks that each listed piece of text gets the listed scope.
//
//   cd editors/test && npm install && npm test

const fs = require('fs');
const path = require('path');
const vsctm = require('vscode-textmate');
const oniguruma = require('vscode-oniguruma');

const GRAMMAR = path.join(__dirname, '..', 'pipe.tmLanguage.json');

// [line, [[text, scope], ...]]: the token whose text is `text` has `scope`
// (or, with scope null, no scope beyond source.pipe).
const CASES = [
  ['# a comment', [['#', 'punctuation.definition.comment.pipe'], [' a comment', 'comment.line.number-sign.pipe']]],
  ['echo a#b', [['echo', 'entity.name.function.command.pipe'], [' a#b', null]]],
  ['echo hi # trailing', [['#', 'comment.line.number-sign.pipe']]],
  ['let x = 1', [['let', 'storage.type.declaration.pipe'], ['x', 'variable.other.assignment.pipe'], ['=', 'keyword.operator.assignment.pipe']]],
  ['export PATH = $p', [['export', 'storage.type.declaration.pipe'], ['p', 'variable.other.pipe']]],
  ['secret key = $(gen)', [['secret', 'storage.type.declaration.pipe'], ['gen', 'entity.name.function.command.pipe'], ['$(', 'punctuation.section.embedded.begin.pipe']]],
  ['cd /tmp; exit 3', [['cd', 'keyword.control.cd.pipe'], ['exit', 'keyword.control.exit.pipe'], ['3', 'constant.numeric.integer.pipe'], [';', 'punctuation.terminator.statement.pipe']]],
  ["echo 'no $x \\n'", [["no $x \\n", 'string.quoted.single.pipe']]],
  ['echo "a\\"b\\\\c\\$d\\x41\\u{1F600}\\q"', [['\\"', 'constant.character.escape.pipe'], ['\\\\', 'constant.character.escape.pipe'], ['\\$', 'constant.character.escape.pipe'], ['\\x41', 'constant.character.escape.pipe'], ['\\u{1F600}', 'constant.character.escape.pipe'], ['\\q', 'string.quoted.double.pipe']]],
  ['echo "$x ${y:-d} $(date)"', [['x', 'variable.other.pipe'], [':-', 'keyword.operator.default.pipe'], ['date', 'entity.name.function.command.pipe']]],
  ['echo $1 $@ $# $? ${10}', [['1', 'variable.language.special.pipe'], ['@', 'variable.language.special.pipe'], ['#', 'variable.language.special.pipe'], ['?', 'variable.language.special.pipe'], ['10', 'variable.other.pipe']]],
  ['a | b && c || d', [['|', 'keyword.operator.pipe.pipe'], ['&&', 'keyword.operator.logical.pipe'], ['||', 'keyword.operator.logical.pipe'], ['b', 'entity.name.function.command.pipe'], ['d', 'entity.name.function.command.pipe']]],
  ['c < i > o >> a 2> e 2>> f &> g &>> h 2>&1 >&2 <<< w', [['<', 'keyword.operator.redirect.pipe'], ['>', 'keyword.operator.redirect.pipe'], ['>>', 'keyword.operator.redirect.pipe'], ['2>', 'keyword.operator.redirect.pipe'], ['2>>', 'keyword.operator.redirect.pipe'], ['&>', 'keyword.operator.redirect.pipe'], ['&>>', 'keyword.operator.redirect.pipe'], ['2>&1', 'keyword.operator.redirect.pipe'], ['>&2', 'keyword.operator.redirect.pipe'], ['<<<', 'keyword.operator.redirect.pipe']]],
  // Digits right before `<` or `>` are the fd: 0, 1 and 2 in pipe's forms,
  // anything else an error; digits inside a word are not an fd.
  ['echo x 1>&2 0< i 1> o 1>> a 0<<< w', [['1>&2', 'keyword.operator.redirect.pipe'], ['0<', 'keyword.operator.redirect.pipe'], ['1>', 'keyword.operator.redirect.pipe'], ['1>>', 'keyword.operator.redirect.pipe'], ['0<<<', 'keyword.operator.redirect.pipe']]],
  ['echo 3> f 2>&- 2< g a1>h', [['3>', 'invalid.illegal.redirect.pipe'], ['2>&-', 'invalid.illegal.redirect.pipe'], ['2<', 'invalid.illegal.redirect.pipe'], ['>', 'keyword.operator.redirect.pipe']]],
  ['FOO=bar env', [['FOO', 'variable.other.assignment.pipe']]],
  ['parallel max 4 fail-fast lines { a }', [['parallel', 'keyword.control.parallel.pipe'], ['max', 'keyword.other.option.pipe'], ['4', 'constant.numeric.integer.pipe'], ['fail-fast', 'keyword.other.option.pipe'], ['lines', 'keyword.other.option.pipe'], ['{', 'punctuation.section.block.begin.pipe'], ['a', 'entity.name.function.command.pipe']]],
  ['parallel ordered for f in *.txt { b $f }', [['ordered', 'keyword.other.option.pipe'], ['for', 'keyword.control.for.pipe'], ['f', 'variable.other.loop.pipe'], ['in', 'keyword.control.in.pipe'], ['*', 'keyword.operator.glob.pipe']]],
  ['p | fanout raw { a ; b }', [['fanout', 'keyword.control.fanout.pipe'], ['raw', 'keyword.other.option.pipe']]],
  ['timeout 150ms signal TERM grace 2s { sleep 9 }', [['timeout', 'keyword.control.timeout.pipe'], ['150ms', 'constant.numeric.duration.pipe'], ['signal', 'keyword.other.option.pipe'], ['TERM', 'constant.language.signal.pipe'], ['grace', 'keyword.other.option.pipe'], ['2s', 'constant.numeric.duration.pipe'], ['sleep', 'entity.name.function.command.pipe']]],
  ['for i in 1..10 -2..$n { echo $i }', [['for', 'keyword.control.for.pipe'], ['1', 'constant.numeric.integer.pipe'], ['..', 'keyword.operator.range.pipe'], ['10', 'constant.numeric.integer.pipe'], ['-2', 'constant.numeric.integer.pipe'], ['}', 'punctuation.section.block.end.pipe']]],
  // Keywords only unquoted, and only where a statement starts.
  ["'timeout' 5 sleep 9", [['timeout', 'string.quoted.single.pipe']]],
  ['echo for x in y lines', [[' for x in y lines', null]]],
  ['a || exit 1', [['exit', 'keyword.control.exit.pipe']]],
];

async function main() {
  const wasm = fs.readFileSync(path.join(path.dirname(require.resolve('vscode-oniguruma')), 'onig.wasm')).buffer;
  await oniguruma.loadWASM(wasm);
  const registry = new vsctm.Registry({
    onigLib: Promise.resolve({
      createOnigScanner: (patterns) => new oniguruma.OnigScanner(patterns),
      createOnigString: (s) => new oniguruma.OnigString(s),
    }),
    loadGrammar: async () => vsctm.parseRawGrammar(fs.readFileSync(GRAMMAR, 'utf8'), GRAMMAR),
  });
  const grammar = await registry.loadGrammar('source.pipe');
  let failures = 0;
  for (const [line, expected] of CASES) {
    const tokens = grammar.tokenizeLine(line, vsctm.INITIAL).tokens.map((t) => ({
      text: line.substring(t.startIndex, t.endIndex),
      scopes: t.scopes.slice(1),
    }));
    for (const [text, scope] of expected) {
      const ok = tokens.some((t) => t.text === text && (scope === null ? t.scopes.length === 0 : t.scopes.includes(scope)));
      if (!ok) {
        failures++;
        console.log(`FAIL ${JSON.stringify(line)}: ${JSON.stringify(text)} should be ${scope}`);
        for (const t of tokens) console.log(`    ${JSON.stringify(t.text)} ${t.scopes.join(' ')}`);
      }
    }
  }
  console.log(failures ? `${failures} failed` : `ok: ${CASES.length} lines`);
  process.exit(failures ? 1 : 0);
}

main();
