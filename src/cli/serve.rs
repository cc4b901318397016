//! `charte serve`: the web application over the workspace.

use super::Ctx;
use crate::Result;
use crate::web::{Site, serve};

pub const LONG_ABOUT: &str = "Serve the workspace's web application until Ctrl-C (or SIGTERM): today the \
verification page at /verify (the same page as out/verify.html: a funder or an association checks a sealed \
document in its own browser, the file never leaving its machine) and /healthz (200 and the journal's head, for \
monitoring). It runs beside the command line: both may change the workspace, one writer at a time.

Each request is logged on standard error as one JSON line (route, status, duration; no address, no token). Run it \
behind a reverse proxy that adds TLS (README.md).

The server acts on the machine's date, read at each request; --now pins it (a replay workspace).";

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The address and port to listen on (port 0: any free port, printed).
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:8080")]
    listen: String,
}

pub fn run(args: Args, ctx: &Ctx, pinned: bool) -> Result<u8> {
    let site = Site::new(ctx.dir.clone(), pinned.then_some(ctx.now))?;
    let dir = ctx.dir.display().to_string();
    serve(site, &args.listen, |addr| {
        say!("charte serves {dir} on http://{addr}/ (the verification page: http://{addr}/verify); Ctrl-C stops it");
    })?;
    say!("stopped: every request under way was finished");
    Ok(0)
}
