//! The `feedwright` command line: argument parsing and exit codes around the library.
//!
//! (Over 400 lines: each command's flags, messages and exit codes, kept in one place.)

use std::path::{Path, PathBuf};

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use clap::{Args, Parser, Subcommand};
use feedwright::core::Diagnostic;
use feedwright::core::{Options, Site};
use feedwright::edges::announce::Announcer;
use feedwright::edges::index::{self, Index};
use feedwright::edges::load::find_site;
use feedwright::edges::output::{DEFAULT_MAX_DELETES, Ids, Target};
use feedwright::edges::parallel::Applied;
use feedwright::edges::serve::ServeOptions;
use feedwright::edges::watch::{WatchError, WatchOptions};

#[derive(Parser)]
#[command(name = "feedwright", version, about = "RSS and Atom feeds with ids that survive a WordPress migration")]
struct Cli {
    /// Print only errors.
    #[arg(short, long, global = true, conflicts_with = "verbose")]
    quiet: bool,
    /// Print timings and counts.
    #[arg(short, long, global = true)]
    verbose: bool,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Build every feed once.
    Build {
        #[command(flatten)]
        site: SiteArgs,
        /// Output folder, or a bucket: `s3://BUCKET/PREFIX`, `gs://…`, `az://…`
        /// (credentials, region and endpoint from the provider's environment variables).
        #[arg(long, default_value = "feeds", value_name = "FOLDER|URL")]
        out: String,
        /// A publish to a bucket deletes at most this many objects (over it, nothing is
        /// changed and the build fails).
        #[arg(long, default_value_t = DEFAULT_MAX_DELETES, value_name = "N")]
        max_deletes: usize,
        /// Write the feeds of the valid posts even when some posts have errors (an id
        /// that would change stays what readers hold).
        #[arg(long)]
        keep_going: bool,
        /// Publish posts whose id changed since the last build under their new id
        /// (readers see them again as new).
        #[arg(long)]
        accept_id_changes: bool,
    },
    /// Pin the item ids readers hold today, read from the feeds they subscribed to, so
    /// that switching to feedwright delivers no item twice (writes `feedwright.ids`).
    Adopt {
        #[command(flatten)]
        site: SiteArgs,
        /// Published feeds: files, http(s) URLs, OPML lists of feeds, or a previous
        /// `--out` folder.
        #[arg(required = true, value_name = "SOURCE")]
        sources: Vec<String>,
    },
    /// Build, then keep `--out` current as posts and config change.
    Watch {
        #[command(flatten)]
        site: SiteArgs,
        /// Output folder, or a bucket: `s3://BUCKET/PREFIX`, `gs://…`, `az://…`.
        #[arg(long, default_value = "feeds", value_name = "FOLDER|URL")]
        out: String,
        #[command(flatten)]
        daemon: DaemonArgs,
    },
    /// Watch the site and serve its feeds over HTTP (conditional GET, gzip, brotli).
    Serve {
        #[command(flatten)]
        site: SiteArgs,
        /// Address to listen on: `host:port` (`localhost:8080`, `0.0.0.0:80`, `[::1]:8080`).
        #[arg(long, default_value = "127.0.0.1:8080")]
        listen: String,
        /// Also write the feeds to this folder or bucket.
        #[arg(long, value_name = "FOLDER|URL")]
        out: Option<String>,
        #[command(flatten)]
        daemon: DaemonArgs,
        /// Close a connection whose request headers take longer than this.
        #[arg(long, default_value_t = 10)]
        header_timeout_secs: u64,
        /// Connections served at once.
        #[arg(long, default_value_t = 1024)]
        max_connections: usize,
    },
    /// Report every error and warning in the site without writing anything.
    Check {
        #[command(flatten)]
        site: SiteArgs,
        /// Also compare the ids readers hold in these published feeds (files, URLs,
        /// OPML, a previous `--out`) with the ids feedwright would publish.
        #[arg(long, value_name = "SOURCE", num_args = 1..)]
        against: Vec<String>,
    },
}

/// What `watch` and `serve` share.
#[derive(Args)]
struct DaemonArgs {
    /// Wait this long after the last file event before regenerating.
    #[arg(long, default_value_t = 50)]
    debounce_ms: u64,
    /// Poll for changes (every MS milliseconds, default 500) instead of inotify:
    /// for network file systems.
    #[arg(long, value_name = "MS", num_args = 0..=1, default_missing_value = "500")]
    poll: Option<u64>,
    /// Write this file once the initial build is ready (`serve` adds `listen ADDR`).
    #[arg(long, value_name = "PATH")]
    ready_file: Option<PathBuf>,
    /// A publish to a bucket deletes at most this many objects.
    #[arg(long, default_value_t = DEFAULT_MAX_DELETES, value_name = "N")]
    max_deletes: usize,
}

#[derive(Args)]
struct SiteArgs {
    /// Site root (holds feedwright.yaml or a Hugo/Jekyll config, and content/ or _posts/).
    #[arg(long, default_value = ".")]
    site: PathBuf,
    /// Include drafts.
    #[arg(long)]
    drafts: bool,
    /// Include posts dated in the future.
    #[arg(long)]
    future: bool,
}

/// Exit codes: 0 success, 1 errors in posts, 2 usage or config errors.
const EXIT_POSTS: u8 = 1;
const EXIT_CONFIG: u8 = 2;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let verbosity = if cli.quiet {
        0
    } else if cli.verbose {
        2
    } else {
        1
    };
    match cli.command {
        Command::Build { site, out, max_deletes, keep_going, accept_id_changes } => {
            build(&site, &Target::parse(&out), max_deletes, keep_going, accept_id_changes, verbosity)
        }
        Command::Check { site, against } => check(&site, &against, verbosity),
        Command::Adopt { site, sources } => adopt(&site, &sources, verbosity),
        Command::Watch { site, out, daemon } => {
            init_logging(verbosity);
            let opts = watch_options(site, Some(Target::parse(&out)), daemon);
            daemon_exit(feedwright::edges::watch::run(opts, None, None))
        }
        Command::Serve { site, listen, out, daemon, header_timeout_secs, max_connections } => {
            init_logging(verbosity);
            let opts = ServeOptions {
                watch: watch_options(site, out.as_deref().map(Target::parse), daemon),
                listen,
                header_timeout: Duration::from_secs(header_timeout_secs.max(1)),
                max_connections,
            };
            daemon_exit(feedwright::edges::serve::run(opts))
        }
    }
}

fn watch_options(site: SiteArgs, out: Option<Target>, daemon: DaemonArgs) -> WatchOptions {
    WatchOptions {
        site: site.site,
        out,
        max_deletes: daemon.max_deletes,
        options: Options { drafts: site.drafts, future: site.future },
        debounce: Duration::from_millis(daemon.debounce_ms.max(1)),
        poll: daemon.poll.map(|ms| Duration::from_millis(ms.max(10))),
        ready_file: daemon.ready_file,
        ready_note: String::new(),
    }
}

fn daemon_exit(result: Result<(), WatchError>) -> ExitCode {
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e @ WatchError::Config(_)) => {
            eprintln!("{e}");
            ExitCode::from(EXIT_CONFIG)
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(EXIT_POSTS)
        }
    }
}

/// Daemon logs: one line per event worth knowing, to stderr.
fn init_logging(verbosity: u8) {
    let level = match verbosity {
        0 => tracing::Level::ERROR,
        1 => tracing::Level::INFO,
        _ => tracing::Level::DEBUG,
    };
    use std::io::IsTerminal;
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .with_target(false)
        .with_max_level(level)
        .init();
}

/// Load the site and apply it; config problems end the run here (exit 2).
/// `held`: the ids a previous build published (from its `--out`), and whether a post
/// whose id would change keeps the published one.
fn open_site(
    args: &SiteArgs,
    out: Option<&Path>,
    held: Option<(&Ids, bool)>,
    index: Option<&mut Index>,
) -> Result<(Site, Vec<Diagnostic>, Applied), ExitCode> {
    if !args.site.is_dir() {
        eprintln!("error: site folder `{}` does not exist", args.site.display());
        return Err(ExitCode::from(EXIT_CONFIG));
    }
    let skip = out.and_then(|o| std::fs::canonicalize(o).ok());
    let found = find_site(&args.site, skip.as_deref());
    let mut site = Site::new(Options { drafts: args.drafts, future: args.future }, chrono::Utc::now())
        .with_files(feedwright::edges::load::post_files(&args.site));
    if let Some((ids, keep)) = held {
        site.hold_ids(ids.clone(), keep);
    }
    let mut loaded = feedwright::edges::parallel::apply_indexed(&mut site, &args.site, found, Vec::new(), index);
    let mut diagnostics = std::mem::take(&mut loaded.diagnostics);
    if site.config().is_none() {
        diagnostics.extend(site.diagnostics());
        report(&args.site, &diagnostics, 0);
        return Err(ExitCode::from(EXIT_CONFIG));
    }
    diagnostics.extend(site.diagnostics());
    Ok((site, diagnostics, loaded))
}

fn build(
    args: &SiteArgs,
    out: &Target,
    max_deletes: usize,
    keep_going: bool,
    accept_id_changes: bool,
    verbosity: u8,
) -> ExitCode {
    let started = Instant::now();
    let started_ns = feedwright::edges::inputs::started();
    let options = format!(
        "drafts={} future={} keep_going={keep_going} accept_id_changes={accept_id_changes}",
        args.drafts, args.future
    );
    // Nothing changed since the last build into this folder: stat the files and stop.
    if let Some(folder) = out.folder() {
        index::remove_partials(folder);
        match feedwright::edges::inputs::check(&args.site, folder, &options) {
            feedwright::edges::inputs::Check::Unchanged { files, warnings } => {
                if verbosity >= 1 {
                    for warning in &warnings {
                        eprintln!("{warning}");
                    }
                    eprintln!("{files} files in `{out}`: 0 written, {files} unchanged, 0 removed (no input changed)");
                }
                if verbosity >= 2 {
                    eprintln!("checked the inputs in {:.1} ms", ms(started.elapsed()));
                }
                return ExitCode::SUCCESS;
            }
            feedwright::edges::inputs::Check::Ignored(why) if verbosity >= 1 => eprintln!("note: {why}"),
            _ => {}
        }
    }
    let index_options = index::options(&Options { drafts: args.drafts, future: args.future });
    // Something changed: start from the index of the last build (parse only the files
    // that changed, write only the feeds whose fingerprint moved).
    let mut index = out.folder().and_then(|folder| {
        index::load(folder, &index_options).trusted(|why| {
            if verbosity >= 1 {
                eprintln!("note: {why}");
            }
        })
    });
    // A published id never changes silently: the ids the last build wrote are held.
    let mut dest = match out.open(max_deletes) {
        Ok(dest) => dest,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(EXIT_POSTS);
        }
    };
    let held = (!accept_id_changes).then(|| (dest.ids(), keep_going));
    let (site, mut diagnostics, loaded_posts) = match open_site(args, out.folder(), held, index.as_mut()) {
        Ok(s) => s,
        Err(code) => return code,
    };
    // The fingerprints the output holds, when the posts were parsed under the same config.
    let before = index.take().filter(|i| i.fits(&site)).and_then(|i| Some((i.prints?, i.rendering)));
    let loaded = started.elapsed();
    let errors = diagnostics.iter().filter(|d| d.is_error()).count();
    if errors > 0 && !keep_going {
        report(&args.site, &diagnostics, verbosity);
        eprintln!("error: {errors} error(s); nothing in `{out}` was changed (--keep-going writes the valid posts)");
        return ExitCode::from(EXIT_POSTS);
    }
    // Rendered and written a part at a time, so the whole output is never in memory.
    let written_by = match &before {
        Some((prints, _)) => {
            let affected = site.changed_since(prints);
            if verbosity >= 1 {
                eprintln!(
                    "from the index: {} of {} post files unchanged; {} feeds and {} archive pages changed",
                    loaded_posts.from_index,
                    site.parsed().count(),
                    affected.changed.len() + affected.removed.len(),
                    affected.pages.len() + affected.pages_removed.len(),
                );
            }
            feedwright::edges::parallel::write_changed(&site, &affected, dest.as_mut(), keep_going)
        }
        None => feedwright::edges::parallel::write_all(&site, dest.as_mut(), keep_going, false),
    };
    let outcome = match written_by {
        Ok(outcome) => outcome,
        Err(e) => {
            report(&args.site, &diagnostics, verbosity);
            eprintln!("error: cannot write the feeds: {e}");
            if dest.is_live() {
                eprintln!("note: what was published before stays readable; the next build completes this publish");
            }
            return ExitCode::from(EXIT_POSTS);
        }
    };
    // What rendering found: this pass's, and the last build's about the posts this one
    // did not render again.
    let mut rendering = outcome.diagnostics;
    if let Some((_, before)) = before {
        rendering
            .extend(before.into_iter().filter(|d| site.post(&d.path).is_some() && !outcome.pass.contains(&d.path)));
    }
    diagnostics.extend(rendering.iter().cloned());
    let files = outcome.files;
    let printed = report(&args.site, &diagnostics, verbosity);
    let mut errors = diagnostics.iter().filter(|d| d.is_error()).count();
    let Some(written) = outcome.written else {
        eprintln!("error: {errors} error(s); nothing in `{out}` was changed (--keep-going writes the valid posts)");
        return ExitCode::from(EXIT_POSTS);
    };
    let posts = site.visible_count();
    if verbosity >= 1 {
        eprintln!(
            "{files} files in `{out}`: {} written, {} unchanged, {} removed",
            written.written, written.unchanged, written.removed
        );
    }
    // The record that lets the next build stop early, when this one is complete.
    if let (Some(folder), 0) = (out.folder(), errors)
        && let Err(e) = feedwright::edges::inputs::write(
            &args.site,
            folder,
            &site,
            &options,
            started_ns,
            &printed,
            &loaded_posts.stats,
        )
    {
        eprintln!("warning: cannot record the inputs: {e}");
    }
    if let (Some(folder), 0) = (out.folder(), errors)
        && let Err(e) =
            index::save(&args.site, folder, &site, &index_options, started_ns, &rendering, Some(&loaded_posts.stats))
    {
        eprintln!("warning: cannot write the index: {e}");
    }
    // Only now that every file is in place: the hub, and the after_publish command.
    if let Some(config) = site.config() {
        let mut announcer = Announcer::default();
        if let Err(e) = announcer.announce(config, &args.site, dest.is_live(), &written) {
            eprintln!("error: {e}; the feeds are published");
            errors += 1;
        }
        announcer.finish();
    }
    if verbosity >= 2 {
        eprintln!(
            "built {posts} posts into {files} files in {:.1} ms (load+parse {:.1} ms, render+write {:.1} ms)",
            ms(started.elapsed()),
            ms(loaded),
            ms(started.elapsed() - loaded),
        );
    }
    // The process ends here: freeing every post one by one would only cost time.
    std::mem::forget(site);
    if errors > 0 { ExitCode::from(EXIT_POSTS) } else { ExitCode::SUCCESS }
}

fn check(args: &SiteArgs, against: &[String], verbosity: u8) -> ExitCode {
    let (site, mut diagnostics, _) = match open_site(args, None, None, None) {
        Ok(s) => s,
        Err(code) => return code,
    };
    if !against.is_empty() {
        let items = match feedwright::edges::held::read_sources(against) {
            Ok(items) => items,
            Err(e) => {
                eprintln!("error: {e}");
                return ExitCode::from(EXIT_CONFIG);
            }
        };
        let (matched, differences) = feedwright::core::differences(&site, &items);
        if verbosity >= 1 {
            eprintln!(
                "{} item(s) read, {matched} matched to posts, {} would get another id",
                items.len(),
                differences.len()
            );
        }
        diagnostics.extend(differences);
    }
    if let Some(renderer) = site.renderer() {
        let mut pass = feedwright::core::Pass::default();
        for post in renderer.every_post() {
            pass.insert(renderer.render_post(post));
        }
        diagnostics.extend(pass.diagnostics());
    }
    report(&args.site, &diagnostics, verbosity.max(1));
    let errors = diagnostics.iter().filter(|d| d.is_error()).count();
    let warnings = diagnostics.len() - errors;
    if verbosity >= 1 {
        eprintln!("{errors} error(s), {warnings} warning(s)");
    }
    if errors > 0 { ExitCode::from(EXIT_POSTS) } else { ExitCode::SUCCESS }
}

fn adopt(args: &SiteArgs, sources: &[String], verbosity: u8) -> ExitCode {
    let (site, diagnostics, _) = match open_site(args, None, None, None) {
        Ok(s) => s,
        Err(code) => return code,
    };
    report(&args.site, &diagnostics, verbosity.min(1).saturating_sub(1));
    match feedwright::edges::adopt::adopt(&args.site, &site, sources) {
        Ok(adopted) => {
            for line in &adopted.report {
                println!("{line}");
            }
            if adopted.conflicts > 0 { ExitCode::from(EXIT_POSTS) } else { ExitCode::SUCCESS }
        }
        Err(e) => {
            eprintln!("error: {e}; no pin was written");
            ExitCode::from(EXIT_CONFIG)
        }
    }
}

fn ms(d: std::time::Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// Print diagnostics (errors always, warnings unless quiet) with paths as the user
/// can open them from where they ran the command; every line, printed or not.
fn report(site: &Path, diagnostics: &[Diagnostic], verbosity: u8) -> Vec<String> {
    let mut sorted: Vec<&Diagnostic> = diagnostics.iter().collect();
    sorted.sort_by(|a, b| (&a.path, a.line, a.severity).cmp(&(&b.path, b.line, b.severity)));
    sorted.dedup();
    let mut lines = Vec::new();
    for d in sorted {
        let mut shown = d.clone();
        if site != Path::new(".") {
            shown.path = site.join(&d.path);
        }
        if d.is_error() || verbosity >= 1 {
            eprintln!("{shown}");
        }
        lines.push(shown.to_string());
    }
    lines
}
