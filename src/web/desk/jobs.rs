//! Long work started from the desk (issuing or mailing hundreds of
//! documents) runs as a background job on the server, so that the
//! coordinator's request answers at once and a page shows how far it got.
//!
//! The registry lives in the server's state ([`super::super::Site::jobs`]):
//! in memory only, a restart forgets it (the journal holds what was done).
//! At most one writing job runs at a time: asking for another while one
//! runs gives back the running one, it does not start a second (two runs
//! over one journal would only wait on each other's lock, and a second
//! click is far more often impatience than intent). A job's work gets the
//! job as its [`Progress`], the application layer's own way of saying how
//! far long work got; the last jobs are kept so their page still says how
//! they ended.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, MutexGuard};

use crate::app::Progress;
use crate::error::{Error, Failed, Kind, Result};
use crate::web::Site;

/// Finished jobs kept for their page.
const KEPT: usize = 32;

/// What a job does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Work {
    /// Issue the documents that are due (`charte issue --all`).
    Issue,
    /// Mail them (the adhesion workflow's issue and send steps).
    Mail,
    /// Send the outbox on through SMTP (`charte outbox send`).
    Outbox,
    /// Run every workflow (the daily run, `charte run NAME` for each).
    Run,
}

impl Work {
    /// Its name in a URL.
    pub fn code(self) -> &'static str {
        match self {
            Work::Issue => "issue",
            Work::Mail => "mail",
            Work::Outbox => "outbox",
            Work::Run => "run",
        }
    }

    pub fn from_code(code: &str) -> Option<Work> {
        [Work::Issue, Work::Mail, Work::Outbox, Work::Run].into_iter().find(|w| w.code() == code)
    }
}

/// How a job ended, in what a page says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Ended {
    Done(Summary),
    /// It stopped: nothing of the step under way was recorded (the
    /// journal's transactions are whole), earlier chunks stay done.
    Stopped {
        kind: Kind,
        message: String,
    },
}

/// What a finished job did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Summary {
    pub issued: usize,
    pub unchanged: usize,
    pub restored: usize,
    /// Organisations whose document the mailing made ready (issued or unchanged).
    pub ready: usize,
    pub mailed: usize,
    /// The organisations whose data needs a fix, and why (the batch went
    /// on for the others).
    pub failed: Vec<Failed>,
    /// Outbox messages handed to the mail server.
    pub relayed: usize,
    /// (address, reason) of the messages the server refused for good.
    pub bounced: Vec<(String, String)>,
    /// Outbox files not sent on, and why (the desk says it in its language).
    pub not_sent: Vec<(String, crate::app::outbox::NotSent)>,
    /// A daily run: each workflow that ran, with the steps it did.
    pub workflows: Vec<(String, usize)>,
    /// A daily run stopped in part by a temporary failure: to be tried
    /// again soon ([`crate::app::daily::Daily::again`]).
    pub again: bool,
}

/// A job as its page shows it, at one moment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Snapshot {
    pub id: u64,
    pub work: Work,
    /// What the current stage counts ("documents", "send").
    pub what: String,
    pub done: u64,
    pub len: u64,
    pub ended: Option<Ended>,
}

/// One job: its progress, fed by the work's [`Progress`] calls.
#[derive(Debug)]
pub struct Job {
    id: u64,
    work: Work,
    state: Mutex<State>,
}

#[derive(Debug, Default)]
struct State {
    what: String,
    done: u64,
    len: u64,
    ended: Option<Ended>,
}

impl Job {
    fn state(&self) -> MutexGuard<'_, State> {
        // A panic while the lock was held leaves counts, still readable.
        self.state.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn snapshot(&self) -> Snapshot {
        let s = self.state();
        Snapshot {
            id: self.id,
            work: self.work,
            what: s.what.clone(),
            done: s.done,
            len: s.len,
            ended: s.ended.clone(),
        }
    }
}

impl Progress for Job {
    fn start(&self, len: u64, what: &str) {
        let mut s = self.state();
        (s.len, s.done, s.what) = (len, 0, what.to_owned());
    }

    fn advance(&self, n: u64) {
        let mut s = self.state();
        s.done = (s.done + n).min(s.len);
    }

    fn finish(&self) {}
}

/// Starts `work` as a job of `kind` on an App of its own (opened to
/// change the workspace on the site's day, with the server's mail options),
/// fed the job as its progress: the job's id, and whether it started (false:
/// another job runs, whose id it is).
pub(crate) fn launch(
    site: &Site,
    kind: Work,
    work: impl FnOnce(&mut crate::app::App) -> Result<Summary> + Send + 'static,
) -> Result<(u64, bool)> {
    let (dir, today, options) = (site.dir.clone(), site.today(), site.options.clone());
    site.jobs.start(kind, move |job: Arc<Job>| {
        let mut app = crate::app::App::writer(&dir, today)?.with_options(options).with_progress(job);
        work(&mut app)
    })
}

/// The server's jobs.
#[derive(Debug, Default)]
pub struct Jobs {
    inner: Mutex<Registry>,
}

#[derive(Debug, Default)]
struct Registry {
    next: u64,
    jobs: BTreeMap<u64, Arc<Job>>,
    running: Option<u64>,
}

impl Jobs {
    fn registry(&self) -> MutexGuard<'_, Registry> {
        self.inner.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Starts `run` on a thread of its own as job `work`, unless a job
    /// runs already: then that one's id, and `false`.
    pub fn start(
        self: &Arc<Self>,
        work: Work,
        run: impl FnOnce(Arc<Job>) -> Result<Summary> + Send + 'static,
    ) -> Result<(u64, bool)> {
        self.start_on(work, run, |name, body| std::thread::Builder::new().name(name).spawn(body).map(drop))
    }

    /// [`Jobs::start`], the thread made by `spawn` (a test's spawn fails).
    fn start_on(
        self: &Arc<Self>,
        work: Work,
        run: impl FnOnce(Arc<Job>) -> Result<Summary> + Send + 'static,
        spawn: impl FnOnce(String, Box<dyn FnOnce() + Send>) -> std::io::Result<()>,
    ) -> Result<(u64, bool)> {
        let job = {
            let mut registry = self.registry();
            if let Some(id) = registry.running {
                return Ok((id, false));
            }
            registry.next += 1;
            let id = registry.next;
            let job = Arc::new(Job { id, work, state: Mutex::new(State::default()) });
            registry.jobs.insert(id, Arc::clone(&job));
            while registry.jobs.len() > KEPT {
                registry.jobs.pop_first();
            }
            registry.running = Some(id);
            job
            // The lock is released before spawning: a spawn that fails drops
            // the closure, whose Ending takes the lock to free the registry.
        };
        let id = job.id;
        let mut end = Ending { jobs: Arc::clone(self), job: Arc::clone(&job), ended: None };
        let spawned = spawn(
            format!("charte-job-{id}"),
            Box::new(move || {
                let ended = match run(Arc::clone(&end.job)) {
                    Ok(summary) => Ended::Done(summary),
                    Err(e) => stopped(&e),
                };
                // Said, and the registry freed, as `end` drops.
                end.ended.replace(ended);
            }),
        );
        if let Err(e) = spawned {
            // The job never ran: it says why, and the registry is free (also
            // when the spawn kept the closure instead of dropping it).
            let e = Error::temporary(format!("cannot start a job: {e}"));
            self.end(&job, stopped(&e));
            return Err(e);
        }
        Ok((id, true))
    }

    /// Says how `job` ended and frees the registry, both under its lock: a
    /// page that sees the job ended can start the next one.
    fn end(&self, job: &Job, ended: Ended) {
        let mut registry = self.registry();
        job.state().ended = Some(ended);
        if registry.running == Some(job.id) {
            registry.running = None;
        }
    }

    /// The job running now, if one is.
    pub fn running(&self) -> Option<u64> {
        self.registry().running
    }

    /// Waits until no job runs, at most `timeout`: whether none runs. The
    /// server's stop waits so (a job is work a request started: it ends
    /// with its last transaction, not in the middle of a chunk).
    pub fn wait_idle(&self, timeout: std::time::Duration) -> bool {
        let started = std::time::Instant::now();
        while self.running().is_some() {
            if started.elapsed() > timeout {
                return false;
            }
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
        true
    }

    /// Job `id` as it is now.
    pub fn get(&self, id: u64) -> Option<Snapshot> {
        self.registry().jobs.get(&id).map(|j| j.snapshot())
    }

    /// The latest job of `work` this server ran or runs, as it is now.
    pub fn latest(&self, work: Work) -> Option<Snapshot> {
        self.registry().jobs.values().rev().find(|j| j.work == work).map(|j| j.snapshot())
    }
}

fn stopped(e: &Error) -> Ended {
    Ended::Stopped { kind: e.kind(), message: e.to_string() }
}

/// Says how the job ended and frees the registry when its thread ends,
/// however it ends (a panic included: the job then says it stopped), as
/// [`Jobs::end`] does.
struct Ending {
    jobs: Arc<Jobs>,
    job: Arc<Job>,
    ended: Option<Ended>,
}

impl Drop for Ending {
    fn drop(&mut self) {
        let ended = self.ended.take().unwrap_or_else(|| stopped(&Error::internal("the job stopped unexpectedly")));
        self.jobs.end(&self.job, ended);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::mpsc;
    use std::time::{Duration, Instant};

    fn wait_ended(jobs: &Jobs, id: u64) -> Snapshot {
        let started = Instant::now();
        loop {
            let s = jobs.get(id).expect("the job is kept");
            if s.ended.is_some() {
                return s;
            }
            assert!(started.elapsed() < Duration::from_secs(10), "the job ends");
            std::thread::sleep(Duration::from_millis(5));
        }
    }

    /// A second job asked for while one runs is the running one; once it
    /// ended, a new one starts.
    #[test]
    fn one_writing_job_at_a_time() {
        let jobs = Arc::new(Jobs::default());
        let (go, wait) = mpsc::channel::<()>();
        let (first, started) = jobs
            .start(Work::Issue, move |job| {
                job.start(3, "documents");
                job.advance(1);
                wait.recv().ok();
                job.advance(2);
                Ok(Summary { issued: 3, ..Summary::default() })
            })
            .expect("starts");
        assert!(started);
        let (again, started) = jobs.start(Work::Mail, |_| Ok(Summary::default())).expect("answers");
        assert_eq!((again, started), (first, false), "the running job, not a second one");
        assert_eq!(jobs.running(), Some(first));
        go.send(()).expect("the job waits");
        let s = wait_ended(&jobs, first);
        assert_eq!(jobs.running(), None, "ended, the registry is free");
        assert_eq!((s.done, s.len, s.what.as_str()), (3, 3, "documents"));
        assert_eq!(s.ended, Some(Ended::Done(Summary { issued: 3, ..Summary::default() })));
        let (next, started) = jobs.start(Work::Mail, |_| Ok(Summary::default())).expect("starts");
        assert!(started && next != first, "a new job once the first ended");
    }

    /// A job whose work fails or panics ends, says why, and frees the registry.
    #[test]
    fn a_job_that_fails_or_panics_ends_and_frees_the_registry() {
        let jobs = Arc::new(Jobs::default());
        let (id, _) = jobs.start(Work::Issue, |_| Err(Error::temporary("the journal is busy"))).expect("starts");
        assert!(matches!(wait_ended(&jobs, id).ended, Some(Ended::Stopped { kind: Kind::Temporary, .. })));
        let (id, _) = jobs.start(Work::Issue, |_| panic!("a bug")).expect("starts");
        assert!(matches!(wait_ended(&jobs, id).ended, Some(Ended::Stopped { kind: Kind::Internal, .. })));
        assert!(jobs.start(Work::Issue, |_| Ok(Summary::default())).expect("answers").1, "the registry is free");
    }

    /// A thread that cannot be made (the system's limit reached): the
    /// request gets a temporary error instead of waiting forever on the
    /// registry's lock, the job says it stopped, the next one can start.
    #[test]
    fn a_job_whose_thread_cannot_start_ends_and_frees_the_registry() {
        let jobs = Arc::new(Jobs::default());
        let (said, heard) = mpsc::channel();
        let asking = Arc::clone(&jobs);
        std::thread::spawn(move || {
            let started = asking.start_on(
                Work::Mail,
                |_| Ok(Summary::default()),
                // As std's spawn does when it fails: the closure is dropped.
                |_, body| {
                    drop(body);
                    Err(std::io::Error::other("Resource temporarily unavailable"))
                },
            );
            said.send(started.map_err(|e| (e.kind(), e.to_string()))).ok();
        });
        let started = heard.recv_timeout(Duration::from_secs(10)).expect("start answers, no deadlock");
        let (kind, message) = started.expect_err("the job did not start");
        assert_eq!(kind, Kind::Temporary);
        assert!(message.contains("cannot start a job"), "{message}");
        assert_eq!(jobs.running(), None, "the registry is free");
        let s = jobs.get(1).expect("the job is kept");
        assert!(
            matches!(&s.ended, Some(Ended::Stopped { kind: Kind::Temporary, message }) if message.contains("cannot start")),
            "{s:?}"
        );
        let (next, started) = jobs.start(Work::Mail, |_| Ok(Summary::default())).expect("starts");
        assert!(started && next == 2, "the next job starts");
    }
}
