//! `till-hq`: head office's program (see README, "Head office"). It is a
//! binary of its own so that a till's binary carries none of head office's
//! server, store or certificate authority; `till hq …` on a till runs this
//! one (`till::cli::hq_program`). Parses the command line and hands over.

use std::process::ExitCode;

use anyhow::Result;
use clap::Parser;
use till::cli::args::{HqCli, HqCommand};
use till::cli::{hq, logging};

fn main() -> ExitCode {
    let cli = HqCli::parse();
    logging::to_stderr();
    match run(&cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("till-hq: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn run(cli: &HqCli) -> Result<()> {
    let dir = cli.dir();
    match &cli.command {
        HqCommand::Init {
            name,
            url,
            hosts,
            currency,
            minor_units,
        } => {
            let made = hq::init(&dir, name, url, hosts, currency, *minor_units)?;
            println!(
                "made head office '{}' at {} (key {})",
                made.settings.name,
                dir.display(),
                made.public_key()
            );
        }
        HqCommand::Enroll {
            request,
            out,
            client_cert,
        } => {
            let terminal = hq::enroll(&dir, request, out, *client_cert)?;
            println!(
                "enrolled terminal {terminal}; give it {} (till sync join FILE)",
                out.display()
            );
        }
        HqCommand::Serve {
            listen,
            require_client_cert,
        } => hq::serve(&dir, listen, *require_client_cert)?,
        HqCommand::Terminals => print!("{}", hq::terminals(&dir)?),
        HqCommand::Report(range) => {
            print!("{}", hq::report(&dir, range.from, range.to, range.format)?)
        }
        HqCommand::Publish { file } => {
            let (version, count) = hq::publish(&dir, file)?;
            println!("published catalog version {version}: {count} products");
        }
    }
    Ok(())
}
