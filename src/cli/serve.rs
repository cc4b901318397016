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

The server acts on the machine's date, read at each request; --now pins it (a replay workspace).

Once a day, after [serve] daily_run (Brussels time, 06:30 by default), and at its start when that day's run is \
missing, the server runs every workflow as `charte run NAME` does (never two runs at once); --no-daily-run \
leaves that to the page /runs or to cron.";

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The address and port to listen on (port 0: any free port, printed).
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:8080")]
    listen: String,
    /// Do not run the workflows once a day (`[serve] daily_run`): only
    /// when asked on the daily-run page (e.g. a second server, a training copy).
    #[arg(long)]
    no_daily_run: bool,
}

pub fn run(args: Args, ctx: &Ctx, pinned: bool) -> Result<u8> {
    let mut site = Site::new(ctx.dir.clone(), pinned.then_some(ctx.now))?;
    site.daily_run = !args.no_daily_run;
    let dir = ctx.dir.display().to_string();
    serve(site, &args.listen, |addr| {
        say!("charte serves {dir} on http://{addr}/ (the verification page: http://{addr}/verify); Ctrl-C stops it");
    })?;
    say!("stopped: every request under way was finished");
    Ok(0)
}
