//! `pipe check`: what can be known about a script without running it.
//!
//! It resolves every command named literally on PATH, checks that every
//! variable is defined before it is used (in the scope it is used in, on
//! every way the run can get there through `&&` and `||`, or in the
//! environment), and warns where a `secret` is passed as an argument,
//! where every user of the machine can read it. Every problem is reported,
//! not just the first. Nothing runs.

use std::collections::{HashMap, HashSet};
use std::ffi::{OsStr, OsString};
use std::os::unix::ffi::{OsStrExt, OsStringExt};
use std::path::Path;

use miette::Diagnostic;
use thiserror::Error;

use crate::syntax::ast::{
    Block, BlockKind, Command, Connector, List, ListItem, ParallelBody, Pipeline, RangeBound,
    Script, Setting, Span, Stage, Stmt, StmtKind, VarName, VarRef, Word, WordPart, walk_stmt,
};

#[derive(Debug, Error, Diagnostic)]
pub enum CheckError {
    #[error("undefined variable `{name}`")]
    #[diagnostic(code(pipe::check::undefined_variable), help("{help}"))]
    Undefined {
        name: String,
        /// A "did you mean" when a defined name is close, else how to
        /// define it.
        help: String,
        #[label("not defined here")]
        span: miette::SourceSpan,
        /// Where it was set, in a block that ended before this use.
        #[label("{ended_label}")]
        ended: Option<miette::SourceSpan>,
        /// What `ended` points at: a `let` or a loop's variable.
        ended_label: &'static str,
    },

    #[error(transparent)]
    #[diagnostic(transparent)]
    Command(crate::exec::RunError),

    #[error("the secret `{name}` is passed as an argument")]
    #[diagnostic(code(pipe::check::secret_argument), severity(Warning))]
    SecretArgument {
        name: String,
        #[label("{label}")]
        span: miette::SourceSpan,
        label: String,
        #[help]
        help: String,
    },

    #[error("a `parallel` block's branches read nothing from its pipe")]
    #[diagnostic(
        code(pipe::check::parallel_input),
        severity(Warning),
        help(
            "each branch reads /dev/null, so what comes down the pipe is dropped: to give every branch a copy of it, use `fanout {{ a ; b }}`; to run one branch per line of it, loop over them: `parallel for line in $(cmd) {{ ... }}`"
        )
    )]
    ParallelInput {
        #[label("its branches read /dev/null")]
        span: miette::SourceSpan,
    },

    #[error("`for {var} in ${name}` runs once, over the whole value")]
    #[diagnostic(code(pipe::check::one_item), severity(Warning), help("{help}"))]
    OneItem {
        var: String,
        name: String,
        help: String,
        #[label("{label}")]
        span: miette::SourceSpan,
        label: String,
    },
}

impl CheckError {
    /// Warnings do not make `pipe check` fail.
    pub fn is_warning(&self) -> bool {
        matches!(
            self,
            CheckError::SecretArgument { .. }
                | CheckError::OneItem { .. }
                | CheckError::ParallelInput { .. }
        )
    }
}

/// Every problem found in the script, in source order.
pub fn check(script: &Script) -> Vec<CheckError> {
    check_hiding(script).0
}

/// [`check`]'s problems, with the values `secret`s take that `check`
/// knows from the environment (`secret token = $TOKEN`), to hide from
/// what it shows, as the run hides them: a value known without running
/// may hold one (`let auth = "Bearer $TOKEN"`, then `exit $auth`).
pub fn check_hiding(script: &Script) -> (Vec<CheckError>, Vec<Vec<u8>>) {
    let mut checker = Checker {
        problems: Vec::new(),
        secrets: HashMap::new(),
        paths: Vec::new(),
        texts: HashMap::new(),
        captures: HashSet::new(),
        looked_up: HashMap::new(),
        set: HashSet::new(),
        secret_values: Vec::new(),
    };
    // pipe sets `$PWD` as it starts, as bash does, whatever it inherited.
    let mut scope = vec![Def::filled("PWD")];
    checker.stmts(&script.body, &mut scope);
    for problem in &mut checker.problems {
        if let CheckError::Undefined {
            name,
            help,
            span,
            ended,
            ended_label,
        } = problem
            && let Some((set, label)) = ended_definition(script, name, span.offset())
        {
            *help = set_help(name, label);
            *ended = Some(set.into());
            *ended_label = label;
        }
    }
    checker.problems.sort_by_key(|problem| match problem {
        CheckError::Undefined { span, .. }
        | CheckError::SecretArgument { span, .. }
        | CheckError::OneItem { span, .. }
        | CheckError::ParallelInput { span } => span.offset(),
        CheckError::Command(error) => error
            .labels()
            .and_then(|mut labels| labels.next())
            .map_or(0, |label| label.offset()),
    });
    // A command named by a secret is shown as `***`: no "did you mean"
    // tells what it is.
    let mut secrets = literal_secrets(script);
    secrets.extend(checker.secret_values.iter().cloned());
    let problems = checker.problems.into_iter().map(|problem| match problem {
        CheckError::Command(error) => CheckError::Command(error.without_secret_hints(&secrets)),
        other => other,
    });
    (problems.collect(), checker.secret_values)
}

/// The values of `secret`s written as plain text in the script, to hide
/// from what is shown about it without running it.
pub fn literal_secrets(script: &Script) -> Vec<Vec<u8>> {
    let mut found = Vec::new();
    for stmt in &script.body {
        walk_stmt(stmt, &mut |stmt| {
            if let StmtKind::Secret { value, .. } = &stmt.kind
                && let Some(bytes) = literal(value)
                && !bytes.is_empty()
            {
                found.push(bytes);
            }
        });
    }
    found
}

/// Where the script writes a secret's value out: the text parts (and those
/// of a `${x:-default}`'s default) of each `secret` statement's value, and
/// of a `let`, `export` or prefix assignment of a name a `secret` gives.
/// Diagnostics show them masked whatever their spelling (`"\x68unter2"`,
/// `'hun'ter2`, a `\` and a newline inside), which the value itself, the
/// text they hide elsewhere, need not match.
pub fn secret_spans(script: &Script) -> Vec<Span> {
    let mut names = HashSet::new();
    for stmt in &script.body {
        walk_stmt(stmt, &mut |stmt| {
            if let StmtKind::Secret { name, .. } = &stmt.kind {
                names.insert(name.name.as_str());
            }
        });
    }
    let mut spans = Vec::new();
    for stmt in &script.body {
        walk_stmt(stmt, &mut |stmt| match &stmt.kind {
            StmtKind::Secret { value, .. } => text_spans(value, &mut spans),
            StmtKind::Let { name, value } | StmtKind::Export { name, value }
                if names.contains(name.name.as_str()) =>
            {
                text_spans(value, &mut spans);
            }
            StmtKind::List(list) => {
                let commands = list.pipelines().flat_map(|pipeline| &pipeline.stages);
                for stage in commands {
                    let Stage::Command(command) = stage else {
                        continue;
                    };
                    for assign in &command.assigns {
                        if names.contains(assign.name.name.as_str()) {
                            text_spans(&assign.value, &mut spans);
                        }
                    }
                }
            }
            _ => {}
        });
    }
    spans
}

/// The spans of the text written in `word`, in defaults too.
fn text_spans(word: &Word, spans: &mut Vec<Span>) {
    for part in &word.parts {
        match part {
            WordPart::Literal { span, .. } => spans.push(*span),
            WordPart::Var(VarRef {
                default: Some(default),
                ..
            }) => text_spans(default, spans),
            _ => {}
        }
    }
}

/// A name the script has certainly set at some point of it, as far as
/// `check` can follow the run there.
#[derive(Clone, Debug, PartialEq)]
struct Def {
    name: String,
    /// Its value certainly holds something (`let x = 1`), so that a
    /// `${x:-default}` never expands its default.
    filled: bool,
    /// Its value, when it is known without running anything (`let x =
    /// 1`, `let y = "$x-${u:-2}"`): see [`Checker::value_of`].
    value: Option<Vec<u8>>,
    /// It is certainly exported (by `export` or `secret`, or from the
    /// environment), so that a `let` of it sets an environment value.
    exported: bool,
}

impl Def {
    fn new(name: &str, filled: bool) -> Def {
        Def {
            name: name.to_owned(),
            filled,
            value: None,
            exported: false,
        }
    }

    /// A name set to `value`, which holds something if it is known to.
    /// A long value is not kept: what `check` looks at in one (a status,
    /// a duration, a program's name, a bound) is short, and it would be
    /// copied at every use.
    fn set(name: &str, value: Option<OsString>, filled: bool) -> Def {
        let value = value
            .map(OsString::into_vec)
            .filter(|value| value.len() <= KNOWN_VALUE_LIMIT);
        Def {
            name: name.to_owned(),
            filled: filled || value.as_ref().is_some_and(|value| !value.is_empty()),
            value,
            exported: false,
        }
    }

    /// `$PWD` or `$OLDPWD`, which pipe exports as bash does.
    fn filled(name: &str) -> Def {
        Def {
            exported: true,
            ..Def::new(name, true)
        }
    }
}

/// The longest value of a variable that `check` keeps to know it.
const KNOWN_VALUE_LIMIT: usize = 4096;

/// The names certainly defined at a point of the script, oldest first; a
/// name set again appears again, and its last entry is what it holds.
type Scope = Vec<Def>;

fn defined(scope: &[Def], name: &str) -> bool {
    scope.iter().any(|def| def.name == name)
}

/// Whether `name` certainly holds a value that is not empty: as the
/// script last set it, or, for a name it does not set, as the
/// environment holds it (the environment `check` runs in is taken for
/// the run's, as it is for whether the name is defined at all).
fn filled(scope: &[Def], name: &str) -> bool {
    match scope.iter().rev().find(|def| def.name == name) {
        Some(def) => def.filled,
        None => std::env::var_os(name).is_some_and(|value| !value.is_empty()),
    }
}

/// What is certainly defined on every way the run can reach a point:
/// where two ways meet, a name is defined if both define it, and filled
/// if both fill it. Both ways start from the same scope, so they share
/// a prefix, which is kept as it is.
fn meet(a: Option<Scope>, b: Option<Scope>) -> Option<Scope> {
    let (a, b) = match (a, b) {
        (Some(a), Some(b)) => (a, b),
        (one, None) | (None, one) => return one,
    };
    let shared = a.iter().zip(&b).take_while(|(x, y)| x == y).count();
    let mut met = a[..shared].to_vec();
    for def in a[shared..].iter().chain(&b[shared..]) {
        if met[shared..].iter().any(|done| done.name == def.name)
            || !defined(&a, &def.name)
            || !defined(&b, &def.name)
        {
            continue;
        }
        let both = filled(&a, &def.name) && filled(&b, &def.name);
        let value = |scope: &[Def]| {
            scope
                .iter()
                .rev()
                .find(|last| last.name == def.name)
                .and_then(|last| last.value.clone())
        };
        let mut met_def = Def::new(&def.name, both);
        met_def.value = value(&a).filter(|known| Some(known) == value(&b).as_ref());
        met_def.exported = [&a, &b].iter().all(|scope| {
            scope
                .iter()
                .rev()
                .find(|last| last.name == def.name)
                .is_some_and(|last| last.exported)
        });
        met.push(met_def);
    }
    Some(met)
}

/// How a pipeline of a list can end, each with what is certainly defined
/// then; None where it cannot end that way and the run go on.
struct Ends {
    /// With status 0.
    ok: Option<Scope>,
    /// With another status, the script going on to the next `||`.
    failed: Option<Scope>,
}

struct Checker {
    problems: Vec<CheckError>,
    /// Names declared with `secret` anywhere so far, each to itself, and
    /// names whose value was made from one (`let auth = "Bearer $token"`,
    /// a `for` variable over it), each to the secret it holds.
    secrets: HashMap<String, String>,
    /// The `PATH`s the script set in the scopes open now, innermost last,
    /// each with the length of the scope it was set at (so that it ends
    /// with that scope); None for a value only known at run time.
    paths: Vec<(usize, Option<OsString>)>,
    /// The script variables whose value is text written in the script
    /// (`let hosts = "web1 web2"`), as last set.
    texts: HashMap<String, Vec<u8>>,
    /// The script variables whose value is a `$(...)` alone (`let files =
    /// $(ls)`), as last set.
    captures: HashSet<String>,
    /// Each bare program name looked for, by the PATH it was looked for
    /// on: None if found, else the "did you mean". A script that runs the
    /// same command 100,000 times searches PATH once for it.
    looked_up: HashMap<(Option<OsString>, Vec<u8>), Lookup>,
    /// Every name the script has set so far, anywhere: where one is not
    /// certainly defined, it may still hold what the script gave it on
    /// some way there (`test -f f && let LANG = C`), not the
    /// environment's value.
    set: HashSet<String>,
    /// The values `secret`s were given that are known without running.
    secret_values: Vec<Vec<u8>>,
}

/// What looking for a program on a PATH found.
#[derive(Clone)]
enum Lookup {
    Found,
    /// Missing, with its "did you mean".
    Missing(Option<String>),
}

impl Checker {
    /// Statements in order; `scope` holds the names defined so far, and
    /// what a block defines is dropped when it ends. False when they
    /// certainly end the script (an `exit` among them).
    fn stmts(&mut self, stmts: &[Stmt], scope: &mut Scope) -> bool {
        let mark = scope.len();
        let mut goes_on = true;
        for stmt in stmts {
            goes_on &= self.stmt(stmt, scope);
        }
        scope.truncate(mark);
        self.paths.retain(|(at, _)| *at < mark);
        goes_on
    }

    /// Checks a statement and adds what it certainly defines to `scope`.
    /// False when the script certainly ends there.
    fn stmt(&mut self, stmt: &Stmt, scope: &mut Scope) -> bool {
        match &stmt.kind {
            StmtKind::Let { name, value } | StmtKind::Export { name, value } => {
                self.word(value, scope);
                match literal(value) {
                    Some(text) => self.texts.insert(name.name.clone(), text),
                    None => self.texts.remove(&name.name),
                };
                if let [WordPart::Subst { .. }] = value.parts.as_slice() {
                    self.captures.insert(name.name.clone());
                } else {
                    self.captures.remove(&name.name);
                }
                // A `let` keeps an exported name exported, as bash does.
                let exported = matches!(stmt.kind, StmtKind::Export { .. })
                    || self.exported(&name.name, scope);
                if exported {
                    self.nul_byte(value, "an environment value", scope);
                }
                if self.secrets.get(&name.name) == Some(&name.name) {
                    self.secret_value(value, scope);
                }
                self.set_path(&name.name, value, scope);
                self.derive(&name.name, [value], scope);
                let filled = holds_text(value, scope);
                let known = self.value_of(value, scope);
                scope.push(Def {
                    exported,
                    ..Def::set(&name.name, known, filled)
                });
            }
            StmtKind::Secret { name, value } => {
                self.word(value, scope);
                self.secret_value(value, scope);
                self.nul_byte(value, "an environment value", scope);
                self.set_path(&name.name, value, scope);
                let filled = holds_text(value, scope);
                scope.push(Def {
                    exported: true,
                    ..Def::new(&name.name, filled)
                });
                self.secrets.insert(name.name.clone(), name.name.clone());
            }
            StmtKind::Cd { dir } => {
                match dir {
                    // `cd -` reads `$OLDPWD`, as the run does.
                    Some(dir) if dir.is_dash() => self.var(
                        &VarRef {
                            name: VarName::Named("OLDPWD".to_owned()),
                            default: None,
                            span: dir.span,
                        },
                        scope,
                    ),
                    Some(dir) => self.word(dir, scope),
                    None => {}
                }
                // `cd` sets these, as bash's does.
                scope.extend([Def::filled("PWD"), Def::filled("OLDPWD")]);
            }
            StmtKind::Exit { status } => {
                if let Some(word) = status {
                    self.word(word, scope);
                    // A status known now is known to be wrong now.
                    if let Some(text) = self.value_of(word, scope)
                        && text
                            .to_str()
                            .is_none_or(|t| crate::exec::exit_status(t).is_none())
                    {
                        self.problems
                            .push(CheckError::Command(crate::exec::RunError::BadExit {
                                value: text.to_string_lossy().into_owned(),
                                reason: crate::expand::value_reason(
                                    &text.to_string_lossy(),
                                    "not a status",
                                ),
                                span: word.span.into(),
                            }));
                    }
                }
            }
            StmtKind::List(list) => return self.list(list, scope),
        }
        match &stmt.kind {
            StmtKind::Let { name, .. }
            | StmtKind::Export { name, .. }
            | StmtKind::Secret { name, .. } => {
                self.set.insert(name.name.clone());
            }
            StmtKind::Cd { .. } => {
                self.set.extend(["PWD".to_owned(), "OLDPWD".to_owned()]);
            }
            StmtKind::Exit { .. } | StmtKind::List(_) => {}
        }
        // An `exit` ends the script, whatever its status.
        !matches!(stmt.kind, StmtKind::Exit { .. })
    }

    /// `a && b || c`, as the run goes through it: each pipeline is checked
    /// with what is certainly defined on every way the run reaches it, and
    /// after the list `scope` holds what is defined on every way the
    /// script goes on from it. A `let` on the right of `||` or `&&` thus
    /// defines its name only where it certainly ran (`true || let y = 1`
    /// does not define `y`, `test -f f && let y = 1 || let y = 2` does).
    /// False when the list certainly ends the script.
    fn list(&mut self, list: &List, scope: &mut Scope) -> bool {
        let start = scope.clone();
        let Ends { mut ok, mut failed } = self.pipeline(&list.first, start.clone());
        // What goes on past the list with the status of a pipeline that
        // failed as a condition (`false && x`): the last one run failing
        // stops the script instead.
        let mut skipped_failure = None;
        for (connector, pipeline) in &list.rest {
            let (runs, skipped) = match connector {
                Connector::And => (ok.take(), failed.take()),
                Connector::Or => (failed.take(), ok.take()),
            };
            // A pipeline the run never reaches is still checked, as the
            // statements after an `exit` are, but defines nothing.
            let ends = match runs {
                Some(scope) => self.pipeline(pipeline, scope),
                None => {
                    self.pipeline(pipeline, start.clone());
                    Ends {
                        ok: None,
                        failed: None,
                    }
                }
            };
            match connector {
                Connector::And => {
                    skipped_failure = skipped.clone();
                    ok = ends.ok;
                    failed = meet(ends.failed, skipped);
                }
                Connector::Or => {
                    skipped_failure = None;
                    ok = meet(skipped, ends.ok);
                    failed = ends.failed;
                }
            }
        }
        if list.rest.is_empty() {
            skipped_failure = None;
        }
        match meet(ok, skipped_failure) {
            Some(after) => {
                *scope = after;
                true
            }
            // The list ends the script every way: what follows is checked
            // as if it were reached from the list's start.
            None => false,
        }
    }

    /// One pipeline of a list, checked in `scope`: how it can end, and
    /// what is defined then.
    fn pipeline(&mut self, pipeline: &Pipeline, mut scope: Scope) -> Ends {
        if let [Stage::Block(block)] = pipeline.stages.as_slice() {
            let before = scope.clone();
            // A `let` or `cd` in a list acts on the list's scope.
            if let Some(stmt) = block.lone_stmt() {
                let goes_on = self.stmt(stmt, &mut scope);
                let failed = match &stmt.kind {
                    // An assignment whose value is text written out cannot
                    // fail; one that expands something may (a `$(...)`
                    // that fails), and then sets nothing.
                    StmtKind::Let { value, .. }
                    | StmtKind::Export { value, .. }
                    | StmtKind::Secret { value, .. } => literal(value).is_none().then_some(before),
                    // A `cd` that fails sets neither `$PWD` nor `$OLDPWD`.
                    _ => goes_on.then_some(before),
                };
                return Ends {
                    ok: goes_on.then_some(scope),
                    failed,
                };
            }
            // A block standing alone ends the script where it exits; what
            // it defines ends with it.
            let goes_on = self.block(block, &mut scope);
            return Ends {
                ok: goes_on.then(|| scope.clone()),
                failed: Some(scope),
            };
        }
        for (at, stage) in pipeline.stages.iter().enumerate() {
            // `seq 10 | parallel { ... }`: its branches read /dev/null.
            if let Stage::Block(block) = stage
                && at > 0
                && matches!(block.kind, BlockKind::Parallel { .. })
            {
                let start = block.span.start;
                self.problems.push(CheckError::ParallelInput {
                    span: (start, "parallel".len().min(block.span.end - start)).into(),
                });
            }
            match stage {
                Stage::Command(command) => self.command(command, &mut scope),
                Stage::Block(block) => {
                    // `exit` in a stage of a longer pipeline ends that stage.
                    self.block(block, &mut scope);
                }
            }
        }
        Ends {
            ok: Some(scope.clone()),
            failed: Some(scope),
        }
    }

    /// Checks a block; false when it certainly ends the script, standing
    /// as a statement (a `{ }` with an `exit` in it).
    fn block(&mut self, block: &Block, scope: &mut Scope) -> bool {
        // A block's redirects are expanded as it starts, in the scope
        // around it: before its `for` list, without its loop variable.
        for redirect in &block.redirects {
            if let Some(target) = &redirect.target {
                self.word(target, scope);
            }
        }
        // Then its header's `max` or durations, as it starts: one known
        // now is checked now, as the run checks it.
        for word in block.setting_words() {
            self.word(word, scope);
        }
        match &block.kind {
            BlockKind::Parallel { options, .. } => {
                if let Some(word) = options.max.as_ref().and_then(Setting::word) {
                    self.setting(word, scope, crate::exec::MAX_SETTING, |text| {
                        crate::syntax::parse_max(text)
                            .map(drop)
                            .map_err(|err| err.reason())
                    });
                }
            }
            BlockKind::Timeout {
                duration, grace, ..
            } => {
                for word in std::iter::once(duration)
                    .chain(grace)
                    .filter_map(Setting::word)
                {
                    self.setting(word, scope, crate::exec::DURATION_SETTING, |text| {
                        crate::syntax::parse_duration(text)
                            .map(drop)
                            .map_err(|err| err.reason())
                    });
                }
            }
            BlockKind::Group(_) | BlockKind::For(_) | BlockKind::Fanout { .. } => {}
        }
        match &block.kind {
            BlockKind::Group(body) => return self.stmts(body, scope),
            // Time may run out before the body's `exit`.
            BlockKind::Timeout { body, .. } => {
                self.stmts(body, scope);
            }
            BlockKind::For(for_loop)
            | BlockKind::Parallel {
                body: ParallelBody::For(for_loop),
                ..
            } => {
                for item in &for_loop.items {
                    match item {
                        ListItem::Word(word) => {
                            self.word(word, scope);
                            self.one_item(&for_loop.var.name, word);
                        }
                        ListItem::Range { from, to, span } => {
                            let mut values = Vec::new();
                            for bound in [from, to] {
                                match bound {
                                    RangeBound::Var(var) => {
                                        self.var(var, scope);
                                        values.push(self.bound(var, scope));
                                    }
                                    RangeBound::Subst(word) => {
                                        self.word(word, scope);
                                        values.push(None);
                                    }
                                    RangeBound::Int(int) => values.push(Some(int.value)),
                                }
                            }
                            // A range known now is known to be too long now.
                            if let [Some(from), Some(to)] = values[..] {
                                let len = (i128::from(from) - i128::from(to)).unsigned_abs() + 1;
                                if len > crate::expand::MAX_RANGE {
                                    self.problems.push(CheckError::Command(
                                        crate::expand::ExpandError::RangeTooLong {
                                            len,
                                            span: (*span).into(),
                                        }
                                        .into(),
                                    ));
                                }
                            }
                        }
                    }
                }
                let words = for_loop.items.iter().filter_map(|item| match item {
                    ListItem::Word(word) => Some(word),
                    ListItem::Range { .. } => None,
                });
                self.derive(&for_loop.var.name, words, scope);
                let filled = for_loop.items.iter().all(|item| match item {
                    ListItem::Range { .. } => true,
                    // Lines of a `$(...)` are items, empty ones skipped.
                    ListItem::Word(word) => {
                        matches!(word.parts.as_slice(), [WordPart::Subst { .. }])
                            || holds_text(word, scope)
                    }
                });
                scope.push(Def::new(&for_loop.var.name, filled));
                self.set.insert(for_loop.var.name.clone());
                // The body may run no time at all (an empty list).
                self.stmts(&for_loop.body, scope);
                scope.pop();
            }
            BlockKind::Parallel {
                body: ParallelBody::Branches(body),
                ..
            }
            | BlockKind::Fanout { branches: body, .. } => {
                // Each branch (of a `parallel` or a `fanout`) is a scope of
                // its own, as the run makes it.
                for stmt in body {
                    self.stmts(std::slice::from_ref(stmt), scope);
                }
            }
        }
        true
    }

    /// Notes the value a secret is given, if it is known now, to hide it.
    fn secret_value(&mut self, value: &Word, scope: &[Def]) {
        if let Some(value) = self.value_of(value, scope)
            && !value.is_empty()
        {
            self.secret_values.push(value.into_vec());
        }
    }

    /// Whether `name` is certainly exported now: as the script last set
    /// it, or, for a name it has not set, because the environment holds
    /// it.
    fn exported(&self, name: &str, scope: &[Def]) -> bool {
        match scope.iter().rev().find(|def| def.name == name) {
            Some(def) => def.exported,
            None => !self.set.contains(name) && std::env::var_os(name).is_some(),
        }
    }

    /// A block header's value that is a word (`max $n`, `timeout $limit`)
    /// whose value is known now: one that `parse` refuses is refused now,
    /// as the run is sure to refuse it (`pipe::run::bad_value`).
    fn setting(
        &mut self,
        word: &Word,
        scope: &[Def],
        (what, help): (&'static str, &'static str),
        parse: impl Fn(&str) -> Result<(), &'static str>,
    ) {
        let Some(value) = self.value_of(word, scope) else {
            return;
        };
        let value = value.to_string_lossy();
        if let Err(reason) = parse(&value) {
            self.problems
                .push(CheckError::Command(crate::exec::RunError::BadValue {
                    what,
                    reason: crate::expand::value_reason(&value, reason),
                    value: value.into_owned(),
                    help,
                    span: word.span.into(),
                }));
        }
    }

    /// The value of a range's bound that is a variable, when it can be
    /// known now (see [`Checker::value_of`]; `${n:-}` for a name neither
    /// the script nor the environment sets): one that is no whole number
    /// is refused now, as the run is sure to refuse it.
    fn bound(&mut self, var: &VarRef, scope: &[Def]) -> Option<i64> {
        let value = self.var_value_of(var, scope)?;
        match crate::expand::bound_value(&value, var.span) {
            Ok((value, _)) => Some(value),
            Err(error) => {
                self.problems.push(CheckError::Command(error.into()));
                None
            }
        }
    }

    /// A `for` item that is a variable holding several words of text, as
    /// a bash user writes a list (`let hosts = "web1 web2"`, then `for h
    /// in $hosts`): it is one item in pipe.
    fn one_item(&mut self, var: &str, word: &Word) {
        let [
            WordPart::Var(VarRef {
                name: VarName::Named(name),
                default: None,
                span,
            }),
        ] = word.parts.as_slice()
        else {
            return;
        };
        // Quoted (`"$hosts"`), it is meant as one item, in bash too.
        if *span != word.span {
            return;
        }
        // `let files = $(ls)`, then `for f in $files`: its lines are one
        // item, where a `$(...)` written in the list is split into them.
        if self.captures.contains(name) && !self.secrets.contains_key(name) {
            self.problems.push(CheckError::OneItem {
                var: var.to_owned(),
                name: name.clone(),
                help: format!(
                    "pipe splits no variable's value, as bash would; only a `$(...)` written in \
                     the list is split into its lines: write it there, as in `for {var} in \
                     $(cat FILE)`"
                ),
                span: (*span).into(),
                label: "one item, all the lines of its `$(...)`".to_owned(),
            });
            return;
        }
        let Some(text) = self.texts.get(name) else {
            return;
        };
        let text = String::from_utf8_lossy(text);
        let items: Vec<&str> = text.split_whitespace().collect();
        if items.len() < 2 || self.secrets.contains_key(name) {
            return;
        }
        self.problems.push(CheckError::OneItem {
            var: var.to_owned(),
            name: name.clone(),
            help: format!(
                "pipe does not split a variable's value into words, as bash would; list the \
                 items themselves: `for {var} in {}`, or keep them one a line in a file and loop \
                 over `$(cat FILE)`",
                items.join(" ")
            ),
            span: (*span).into(),
            label: format!("one item: `{text}`"),
        });
    }

    fn command(&mut self, command: &Command, scope: &mut Scope) {
        // Each assignment sees the ones before it (`A=1 B=$A cmd`); the
        // command's words do not.
        let mark = scope.len();
        let paths = self.paths.len();
        for assign in &command.assigns {
            self.word(&assign.value, scope);
            if self.secrets.get(&assign.name.name) == Some(&assign.name.name) {
                self.secret_value(&assign.value, scope);
            }
            self.nul_byte(&assign.value, "an environment value", scope);
            self.set_path(&assign.name.name, &assign.value, scope);
            let filled = holds_text(&assign.value, scope);
            let known = self.value_of(&assign.value, scope);
            scope.push(Def::set(&assign.name.name, known, filled));
        }
        scope.truncate(mark);
        // The command itself is looked up on the PATH of its prefix.
        let path_var = self.path_var();
        self.paths.truncate(paths);
        // `echo $s | cmd`, `printf %s $s | cmd`: a secret printed to be
        // read, where a here-string gives it without an argument.
        let prints = matches!(
            command.words.first().map(|word| &word.parts[..]),
            Some([WordPart::Literal { bytes, .. }]) if bytes == b"echo" || bytes == b"printf"
        );
        for word in &command.words {
            self.word(word, scope);
            self.nul_byte(word, "an argument", scope);
            self.secret_argument(word, scope, prints);
        }
        for redirect in &command.redirects {
            if let Some(target) = &redirect.target {
                self.word(target, scope);
            }
        }
        // The program's name: written out, or a word whose value is known
        // now (`let tool = rg`, then `$tool`), which is never globbed.
        let program = command.words.first().and_then(|word| {
            let name = literal(word).or_else(|| {
                let glob = word.parts.iter().any(|part| {
                    matches!(part, WordPart::Literal { bytes, quoted: false, .. }
                        if bytes.iter().any(|b| matches!(b, b'*' | b'?' | b'[')))
                });
                (!glob)
                    .then(|| self.value_of(word, scope))
                    .flatten()
                    .map(OsString::into_vec)
            })?;
            Some((word, name))
        });
        if let Some((program, name)) = &program
            && !name.contains(&b'/')
            // A PATH known only at run time cannot be searched now.
            && let Some(path_var) = path_var
            && let Lookup::Missing(suggestion) = self.look_up(name, path_var.clone())
        {
            self.problems
                .push(CheckError::Command(crate::exec::RunError::NotFound {
                    name: String::from_utf8_lossy(name).into_owned(),
                    suggestion,
                    path: match command.words.get(1).and_then(literal) {
                        Some(second) if crate::exec::spaced_assignment(name, Some(&second)) => {
                            Some(Box::new(crate::exec::PathNote::Assignment))
                        }
                        _ => crate::exec::path_note(path_var.as_deref()),
                    },
                    span: program.span.into(),
                    stages: Default::default(),
                }));
        }
        // A program named by an absolute path is where it is whatever the
        // run's directory; a relative one (`./build.sh`) is not known yet.
        if let Some((program, name)) = &program
            && name.starts_with(b"/")
            && let Some(error) = crate::exec::probe(
                Path::new(OsStr::from_bytes(name)),
                &String::from_utf8_lossy(name),
                program.span,
            )
        {
            self.problems.push(CheckError::Command(error));
        }
    }

    /// Whether the program `name` is on `path_var`, with its "did you
    /// mean" if not; each name is searched for once per PATH.
    fn look_up(&mut self, name: &[u8], path_var: Option<OsString>) -> Lookup {
        let key = (path_var, name.to_vec());
        if let Some(known) = self.looked_up.get(&key) {
            return known.clone();
        }
        let found = match crate::exec::resolve(
            OsStr::from_bytes(&key.1),
            key.0.as_deref(),
            Path::new("."),
            Span::new(0, 0),
        ) {
            Err(crate::exec::RunError::NotFound { suggestion, .. }) => Lookup::Missing(suggestion),
            // `resolve` fails for a missing program alone.
            _ => Lookup::Found,
        };
        self.looked_up.insert(key, found.clone());
        found
    }

    /// Where a command named by a bare name is looked for now: the last
    /// PATH the script set in scope, else the environment's; None when
    /// the script set one that only the run can tell.
    fn path_var(&self) -> Option<Option<OsString>> {
        match self.paths.last() {
            Some((_, value)) => value.clone().map(Some),
            None => Some(std::env::var_os("PATH")),
        }
    }

    /// Notes a new value of `PATH` (`export PATH = "$HOME/bin:$PATH"`), so
    /// that later commands are looked for where the run will look.
    fn set_path(&mut self, name: &str, value: &Word, scope: &[Def]) {
        if name == "PATH" {
            let known = self.value_of(value, scope);
            self.paths.push((scope.len(), known));
        }
    }

    /// The value of a word when it can be known without running anything:
    /// text, `~`, `$PATH` as the script left it, variables the script set
    /// to such a value, and variables it does not set, from the
    /// environment; never a secret's.
    fn value_of(&self, word: &Word, scope: &[Def]) -> Option<OsString> {
        let mut bytes = Vec::new();
        let count = word.parts.len();
        for (i, part) in word.parts.iter().enumerate() {
            match part {
                // `~` at the start, and after a `:` as in any assignment.
                WordPart::Literal {
                    bytes: text,
                    quoted: false,
                    ..
                } => {
                    // `$HOME` as the run has it: the script's, if it set one.
                    let home = || {
                        let home = VarRef {
                            name: VarName::Named("HOME".to_owned()),
                            default: None,
                            span: Span::new(0, 0),
                        };
                        self.var_value_of(&home, scope)
                    };
                    let mut from = 0;
                    if i == 0 && crate::expand::leading_tilde(text, count == 1) {
                        bytes.extend_from_slice(home()?.as_bytes());
                        from = 1;
                    }
                    for at in crate::expand::tildes_after_colons(text, i == 0, i + 1 == count) {
                        bytes.extend_from_slice(&text[from..at]);
                        bytes.extend_from_slice(home()?.as_bytes());
                        from = at + 1;
                    }
                    bytes.extend_from_slice(&text[from..]);
                }
                WordPart::Literal { bytes: text, .. } => bytes.extend_from_slice(text),
                WordPart::Var(var) => {
                    bytes.extend_from_slice(self.var_value_of(var, scope)?.as_bytes())
                }
                WordPart::Args { .. } | WordPart::Subst { .. } => return None,
            }
        }
        Some(OsString::from_vec(bytes))
    }

    /// The value of `$name` or `${name:-default}` when it can be known
    /// without running anything, as [`Checker::value_of`] knows a word's.
    fn var_value_of(&self, var: &VarRef, scope: &[Def]) -> Option<OsString> {
        let VarName::Named(name) = &var.name else {
            return None;
        };
        // A secret's value is shown nowhere, not even in a diagnostic.
        if self.secrets.contains_key(name) {
            return None;
        }
        let value = if name == "PATH" {
            self.path_var()?
        } else if let Some(def) = scope.iter().rev().find(|def| def.name == *name) {
            Some(OsString::from_vec(def.value.clone()?))
        } else if self.set.contains(name) {
            return None;
        } else {
            std::env::var_os(name)
        };
        // `${name:-default}` takes the default when unset or empty.
        match (value, &var.default) {
            (Some(value), Some(default)) if value.is_empty() => self.value_of(default, scope),
            (Some(value), _) => Some(value),
            (None, Some(default)) => self.value_of(default, scope),
            (None, None) => None,
        }
    }

    /// The secret a variable's value holds some of, if any, with the
    /// reference that brings it in: a secret's own `$name`, a variable
    /// made from one, or either in a `${x:-default}`.
    fn secret_in<'a>(&self, var: &'a VarRef, scope: &[Def]) -> Option<(&'a VarRef, String)> {
        if let VarName::Named(name) = &var.name
            && let Some(secret) = self.secrets.get(name)
        {
            return Some((var, secret.clone()));
        }
        // A default that is never expanded passes nothing on.
        if name_holds_text(&var.name, scope) {
            return None;
        }
        self.secret_in_word(var.default.as_deref()?, scope)
    }

    fn secret_in_word<'a>(&self, word: &'a Word, scope: &[Def]) -> Option<(&'a VarRef, String)> {
        word.parts.iter().find_map(|part| match part {
            WordPart::Var(var) => self.secret_in(var, scope),
            _ => None,
        })
    }

    /// `name` now holds what `words` hold: a secret, if any of them holds
    /// one; a declared secret stays one whatever it is given.
    fn derive<'a>(&mut self, name: &str, words: impl IntoIterator<Item = &'a Word>, scope: &[Def]) {
        if self.secrets.get(name).is_some_and(|secret| secret == name) {
            return;
        }
        let held = words
            .into_iter()
            .find_map(|word| self.secret_in_word(word, scope));
        match held {
            Some((_, secret)) => {
                self.secrets.insert(name.to_owned(), secret);
            }
            None => {
                self.secrets.remove(name);
            }
        }
    }

    fn secret_argument(&mut self, word: &Word, scope: &[Def], prints: bool) {
        for part in &word.parts {
            let WordPart::Var(var) = part else { continue };
            let Some((var, secret)) = self.secret_in(var, scope) else {
                continue;
            };
            let label = match &var.name {
                VarName::Named(name) if *name != secret => {
                    format!("visible in the process list (`${name}` holds `${secret}`)")
                }
                _ => "visible in the process list".to_owned(),
            };
            let help = if prints {
                format!(
                    "other users can read a process's arguments; give it on standard input \
                     instead, with a here-string: `cmd <<< ${secret}`, not `echo ${secret} | cmd`"
                )
            } else {
                "other users can read a process's arguments; pass it by environment instead \
                 (`secret` already exports it)"
                    .to_owned()
            };
            self.problems.push(CheckError::SecretArgument {
                name: secret,
                span: var.span.into(),
                label,
                help,
            });
        }
    }

    /// A NUL byte in a word that must not hold one, written in it (`echo
    /// "\0"`), which the run refuses whatever the word's expansions give,
    /// or in its value known now (`let v = "\0"`, then `echo $v`).
    fn nul_byte(&mut self, word: &Word, what: &'static str, scope: &[Def]) {
        let written = word
            .parts
            .iter()
            .any(|part| matches!(part, WordPart::Literal { bytes, .. } if bytes.contains(&0)));
        // Or a variable known to hold one (`let v = "a\0b"`, then `echo $v`).
        let known = || {
            self.value_of(word, scope)
                .is_some_and(|value| value.as_bytes().contains(&0))
        };
        if written || known() {
            self.problems
                .push(CheckError::Command(crate::exec::RunError::NulByte {
                    what,
                    // Only text written out, or a value made of it, is
                    // known to hold one before running.
                    expanded: false,
                    span: word.span.into(),
                }));
        }
    }

    fn word(&mut self, word: &Word, scope: &mut Scope) {
        for part in &word.parts {
            match part {
                WordPart::Var(var) => self.var(var, scope),
                WordPart::Subst { body, .. } => {
                    self.stmts(body, scope);
                }
                WordPart::Literal { .. } | WordPart::Args { .. } => {}
            }
        }
    }

    fn var(&mut self, var: &VarRef, scope: &mut Scope) {
        if let Some(default) = &var.default {
            // The run expands the default only when the name is unset or
            // empty: not at all where it certainly holds something.
            if !name_holds_text(&var.name, scope) {
                self.word(default, scope);
            }
            return;
        }
        if let VarName::Named(name) = &var.name
            && !defined(scope, name)
            && std::env::var_os(name).is_none()
        {
            let defined = scope
                .iter()
                .map(|def| def.name.clone())
                .chain(std::env::vars_os().filter_map(|(key, _)| key.into_string().ok()));
            let bash = crate::expand::bash_variable_help(name);
            let help = bash.unwrap_or_else(|| {
                crate::expand::Suggestion::of(var, name, defined)
                    .help()
                    .unwrap_or_else(|| {
                        format!(
                            "define it before this line with `let {name} = ...`, or give a default: `${{{name}:-default}}`"
                        )
                    })
            });
            self.problems.push(CheckError::Undefined {
                name: name.clone(),
                help,
                span: span(var.span),
                ended: None,
                ended_label: "",
            });
        }
    }
}

/// Whether a word certainly expands to something not empty, as far as
/// can be known without running anything: it has text written out (a
/// lone unquoted `~` is `$HOME`, which may be empty), or a variable that
/// certainly holds something, `$?` or `$#`.
fn holds_text(word: &Word, scope: &[Def]) -> bool {
    word.parts.iter().any(|part| match part {
        WordPart::Literal {
            bytes,
            quoted: false,
            ..
        } if bytes == b"~" && word.parts.len() == 1 => false,
        WordPart::Literal { bytes, .. } => !bytes.is_empty(),
        WordPart::Var(var) => var_holds_text(var, scope),
        WordPart::Args { .. } | WordPart::Subst { .. } => false,
    })
}

/// Whether `$name` or `${name:-default}` certainly expands to something
/// not empty.
fn var_holds_text(var: &VarRef, scope: &[Def]) -> bool {
    name_holds_text(&var.name, scope)
        || var
            .default
            .as_deref()
            .is_some_and(|default| holds_text(default, scope))
}

/// Whether the variable itself certainly holds something, so that its
/// `${name:-default}` never expands the default.
fn name_holds_text(name: &VarName, scope: &[Def]) -> bool {
    match name {
        VarName::Named(name) => filled(scope, name),
        VarName::Status | VarName::Count => true,
        VarName::Positional(_) => false,
    }
}

fn span(span: Span) -> miette::SourceSpan {
    span.into()
}

/// The bytes of a word that is one unquoted or quoted literal.
fn literal(word: &Word) -> Option<Vec<u8>> {
    let mut bytes = Vec::new();
    for part in &word.parts {
        match part {
            WordPart::Literal { bytes: literal, .. } => bytes.extend_from_slice(literal),
            _ => return None,
        }
    }
    Some(bytes)
}

/// Where a variable that is undefined at `at` was set before: on the
/// right of `&&` or `||`, where it may not have run, or in a block that
/// ended before `at`: the name of the last `let`, `export`, `secret`
/// or `for` variable before it whose scope (a `{ }`, a `for` body, a
/// `parallel` or `fanout` branch, a `timeout` body) does not hold `at`.
/// What a bash user expects to outlive a loop is thus pointed at; with
/// the words to label it with.
pub fn ended_definition(script: &Script, name: &str, at: usize) -> Option<(Span, &'static str)> {
    let mut found = None;
    ended_in(&script.body, None, name, at, &mut found);
    found
}

fn ended_in(
    stmts: &[Stmt],
    scope: Option<Span>,
    name: &str,
    at: usize,
    found: &mut Option<(Span, &'static str)>,
) {
    for stmt in stmts {
        ended_stmt(stmt, scope, name, at, found);
    }
}

fn ended_stmt(
    stmt: &Stmt,
    scope: Option<Span>,
    name: &str,
    at: usize,
    found: &mut Option<(Span, &'static str)>,
) {
    match &stmt.kind {
        StmtKind::Let { name: ident, .. }
        | StmtKind::Export { name: ident, .. }
        | StmtKind::Secret { name: ident, .. } => {
            let set = (ident, "set here, only inside its block");
            ended_name(set, scope, name, at, found);
        }
        StmtKind::List(list) => {
            for (i, pipeline) in list.pipelines().enumerate() {
                for stage in &pipeline.stages {
                    let Stage::Block(block) = stage else { continue };
                    // A `let` in a list acts on the list's scope; on the
                    // right of `&&` or `||` it may not run.
                    match block.lone_stmt() {
                        Some(stmt) if i > 0 => ended_maybe(stmt, scope, name, at, found),
                        Some(stmt) => ended_stmt(stmt, scope, name, at, found),
                        None => ended_block(block, name, at, found),
                    }
                }
            }
        }
        StmtKind::Cd { .. } | StmtKind::Exit { .. } => {}
    }
}

/// A `let`, `export` or `secret` on the right of `&&` or `||`, where it
/// runs only when the status before it says so: what a use after the
/// list, where the name is undefined on some way there, is pointed at.
fn ended_maybe(
    stmt: &Stmt,
    scope: Option<Span>,
    name: &str,
    at: usize,
    found: &mut Option<(Span, &'static str)>,
) {
    let (StmtKind::Let { name: ident, .. }
    | StmtKind::Export { name: ident, .. }
    | StmtKind::Secret { name: ident, .. }) = &stmt.kind
    else {
        return;
    };
    let ended = scope.is_some_and(|scope| !(scope.start <= at && at < scope.end));
    if ident.name == name && ident.span.end <= at {
        let label = if ended {
            "set here, only inside its block"
        } else {
            MAYBE_SET
        };
        *found = Some((ident.span, label));
    }
}

/// The label of a name set on the right of `&&` or `||`.
const MAYBE_SET: &str = "set here, only when this part of the list runs";

fn ended_block(block: &Block, name: &str, at: usize, found: &mut Option<(Span, &'static str)>) {
    let scope = Some(block.span);
    match &block.kind {
        BlockKind::Group(body) | BlockKind::Timeout { body, .. } => {
            ended_in(body, scope, name, at, found);
        }
        BlockKind::For(for_loop)
        | BlockKind::Parallel {
            body: ParallelBody::For(for_loop),
            ..
        } => {
            let set = (&for_loop.var, "the loop's variable, only inside the loop");
            ended_name(set, scope, name, at, found);
            ended_in(&for_loop.body, scope, name, at, found);
        }
        BlockKind::Parallel {
            body: ParallelBody::Branches(body),
            ..
        }
        | BlockKind::Fanout { branches: body, .. } => {
            for stmt in body {
                ended_stmt(stmt, Some(stmt.span), name, at, found);
            }
        }
    }
}

fn ended_name(
    (ident, label): (&crate::syntax::ast::Ident, &'static str),
    scope: Option<Span>,
    name: &str,
    at: usize,
    found: &mut Option<(Span, &'static str)>,
) {
    let ended = scope.is_some_and(|scope| !(scope.start <= at && at < scope.end));
    if ident.name == name && ended && ident.span.end <= at {
        *found = Some((ident.span, label));
    }
}

/// The run's undefined-variable error (`crate::expand::ExpandError`) for
/// a variable set in a block that ended, with where it was set: built
/// when the error is shown, so that the executor's errors stay small.
#[derive(Debug, Error, Diagnostic)]
#[error("undefined variable `{name}`")]
#[diagnostic(code(pipe::run::undefined_variable), help("{help}"))]
pub struct EndedUse {
    name: String,
    help: String,
    #[label("not defined here")]
    span: miette::SourceSpan,
    #[label("{ended_label}")]
    ended: miette::SourceSpan,
    ended_label: &'static str,
}

impl EndedUse {
    /// The error to show instead of the run's `error`, when it is an
    /// undefined variable that a block which has ended had set.
    pub fn of(error: &crate::exec::RunError, script: &Script) -> Option<EndedUse> {
        let crate::exec::RunError::Expand(crate::expand::ExpandError::Undefined {
            name, span, ..
        }) = error
        else {
            return None;
        };
        let (set, label) = ended_definition(script, name, span.offset())?;
        Some(EndedUse {
            name: name.clone(),
            help: set_help(name, label),
            span: *span,
            ended: set.into(),
            ended_label: label,
        })
    }
}

/// The help of an undefined variable that was set before it, as `label`
/// says: on the right of `&&` or `||`, or in a block that ended.
fn set_help(name: &str, label: &str) -> String {
    if label == MAYBE_SET {
        return format!(
            "a `let` after `&&` or `||` runs only when the status before it says so; \
             to define `{name}` whatever happens, set it before the list (`let {name} = \"\"`) \
             or on both sides (`cond && let {name} = a || let {name} = b`)"
        );
    }
    ended_help(name)
}

/// The help of an undefined variable that was set in a block that ended.
pub fn ended_help(name: &str) -> String {
    format!(
        "a variable set in a block (`{{ }}`, a `for` body, a `parallel` branch) ends with it, \
         and a `for` variable with its loop; to use a value made inside a block, print it \
         there and capture it: `let {name} = $(...)`"
    )
}
