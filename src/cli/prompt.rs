//! Questions asked at a terminal: `till init`'s set-up, and PINs. A PIN is
//! never echoed, never an argument (the process list shows those) and never
//! typed into a shell line (its history keeps those).

use std::io::{BufRead, IsTerminal, Write};

use anyhow::{Context, Result, bail};

/// Whether a person is there to answer: standard input is a terminal.
pub fn interactive() -> bool {
    std::io::stdin().is_terminal()
}

/// A user's PIN: `$TILL_PIN`, else asked without echo at the terminal, else
/// the first line of standard input (for scripts that pipe it in).
pub fn pin() -> Result<String> {
    if let Ok(pin) = std::env::var("TILL_PIN") {
        return Ok(pin);
    }
    if interactive() {
        return hidden("PIN: ");
    }
    let line = read_line()?.context("no PIN on standard input")?;
    Ok(line.trim().to_string())
}

/// A new PIN, typed twice without echo until both agree and `check` takes it.
pub fn new_pin(who: &str, check: impl Fn(&str) -> Result<()>) -> Result<String> {
    loop {
        let pin = hidden(&format!("{who}'s PIN (4 to 12 digits): "))?;
        if let Err(e) = check(&pin) {
            eprintln!("  {e:#}");
            continue;
        }
        if hidden("The same PIN again: ")? == pin {
            return Ok(pin);
        }
        eprintln!("  the two PINs differ; again");
    }
}

/// Asks until `parse` takes the answer; an empty answer is `default`.
pub fn ask<T>(question: &str, default: &str, parse: impl Fn(&str) -> Result<T>) -> Result<T> {
    loop {
        print!("{question} [{default}]: ");
        std::io::stdout()
            .flush()
            .context("cannot write the question")?;
        let Some(line) = read_line()? else {
            bail!("no answer to \"{question}\" (end of input)");
        };
        let answer = match line.trim() {
            "" => default,
            typed => typed,
        };
        match parse(answer) {
            Ok(value) => return Ok(value),
            Err(e) => eprintln!("  {e:#}"),
        }
    }
}

/// Reads a line at the controlling terminal with its echo off. Echo goes
/// off before the prompt is shown, so keys typed the moment it appears are
/// not echoed either (password crates show the prompt first).
fn hidden(prompt: &str) -> Result<String> {
    use rustix::termios::{LocalModes, OptionalActions, tcgetattr, tcsetattr};
    let tty = std::fs::File::options()
        .read(true)
        .write(true)
        .open("/dev/tty")
        .context("no terminal to ask for a PIN on (give it in $TILL_PIN)")?;
    let saved = tcgetattr(&tty).context("cannot read the terminal's settings")?;
    let mut quiet = saved.clone();
    quiet.local_modes.remove(LocalModes::ECHO);
    quiet.local_modes.insert(LocalModes::ECHONL);
    tcsetattr(&tty, OptionalActions::Now, &quiet).context("cannot turn the echo off")?;
    let answer = (|| {
        (&tty).write_all(prompt.as_bytes())?;
        let mut line = String::new();
        std::io::BufReader::new(&tty).read_line(&mut line)?;
        Ok::<_, std::io::Error>(line)
    })();
    // Echo comes back whatever happened to the read.
    let restored = tcsetattr(&tty, OptionalActions::Now, &saved);
    let line = answer.context("cannot read a PIN from the terminal")?;
    restored.context("cannot turn the echo back on")?;
    Ok(line.trim().to_string())
}

/// One line of standard input, or `None` at its end.
fn read_line() -> Result<Option<String>> {
    let mut line = String::new();
    let n = std::io::stdin()
        .lock()
        .read_line(&mut line)
        .context("cannot read standard input")?;
    Ok((n > 0).then_some(line))
}
