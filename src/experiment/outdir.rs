//! Output folders a user can trust.
//!
//! A command owns what it writes in its output folder and nothing else:
//! - it records the files it wrote in [`MANIFEST`], each with its size and modification time;
//!   the next command in the folder removes the files of that list it does not write again (no
//!   events.csv of an earlier `--events` run beside a new summary.csv), and never touches a file
//!   the list does not name;
//! - it never replaces a file it did not write: such a file is an error naming it (exit 2),
//!   checked before anything is simulated, unless `--overwrite` allows replacing (never
//!   deleting) it. A listed file whose size or modification time changed since kubesim wrote
//!   it (a user saved something there) counts as not written by kubesim;
//! - it holds an advisory lock on [`LOCK`] while it works, so a second command writing the same
//!   folder stops at once instead of mixing its files in; the operating system releases the lock
//!   when the process ends, even when it is killed, so a stale lock cannot block the folder;
//! - every file is written under a temporary name ([`temp_path`]: `.NAME.kubesim-tmp`) and
//!   renamed into place only when all are complete; temporary files a killed command left are
//!   removed by the next command that takes the lock (it holds the lock, so no live command
//!   owns them).
//!
//! Entries of the list are plain relative paths of at most two components (`plots/x.svg`);
//! anything else in a damaged or edited list is ignored, so a list can never make kubesim
//! delete outside its folder.

use std::collections::{BTreeMap, BTreeSet};
use std::fs::{self, File, OpenOptions};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Component, Path, PathBuf};

use crate::error::InputError;

/// The list of files kubesim wrote in a folder.
pub const MANIFEST: &str = ".kubesim-outputs";
/// The lock file of a folder (holds the pid of the command that has it).
pub const LOCK: &str = ".kubesim.lock";
const TEMP_SUFFIX: &str = ".kubesim-tmp";
const OVERWRITE_FIX: &str =
    "move the file away, choose another --out folder, or pass --overwrite to let kubesim replace it";

/// The temporary name under which `name` (relative to `dir`, e.g. `plots/x.svg`) is written
/// before it is renamed into place.
pub fn temp_path(dir: &Path, name: &str) -> PathBuf {
    let dest = dir.join(name);
    let parent = dest.parent().unwrap_or(dir).to_path_buf();
    let file = dest
        .file_name()
        .map(|f| f.to_string_lossy().into_owned())
        .unwrap_or_default();
    parent.join(format!(".{file}{TEMP_SUFFIX}"))
}

/// A temporary file of kubesim: ours (`.X.kubesim-tmp`) or of versions before the lock
/// (`.X.tmp-PID`).
fn is_temp(name: &str) -> bool {
    name.starts_with('.')
        && (name.ends_with(TEMP_SUFFIX)
            || name
                .rsplit_once(".tmp-")
                .is_some_and(|(_, pid)| !pid.is_empty() && pid.bytes().all(|b| b.is_ascii_digit())))
}

/// A manifest entry kubesim could have written: relative, plain names, at most one folder.
fn is_safe_entry(name: &str) -> bool {
    let p = Path::new(name);
    let n = p.components().count();
    (1..=2).contains(&n) && p.components().all(|c| matches!(c, Component::Normal(_))) && !name.contains('\\')
}

/// One piece of a file's content: bytes, or a byte range of another file (a run's spooled
/// events, a shard's table), copied without holding it in memory.
#[derive(Clone, Copy, Debug)]
pub enum Part<'a> {
    Bytes(&'a [u8]),
    File { path: &'a Path, offset: u64, len: u64 },
}

/// A file to write: its name relative to the folder and its parts, written one after the other.
pub type FilePlan<'a> = (String, Vec<Part<'a>>);

fn io_error(path: &Path, what: &str, e: std::io::Error) -> InputError {
    InputError::new(
        "--out",
        format!("cannot {what} {}: {e}", path.display()),
        "choose a writable --out folder with free space",
    )
}

/// What identifies the content kubesim wrote: size and modification time (ns since the epoch).
type Stamp = (u64, u128);

fn stamp(path: &Path) -> Option<Stamp> {
    let m = fs::symlink_metadata(path).ok()?;
    if !m.is_file() {
        return None;
    }
    let t = m.modified().ok()?.duration_since(std::time::UNIX_EPOCH).ok()?;
    Some((m.len(), t.as_nanos()))
}

/// An output folder, locked for this command.
#[derive(Debug)]
pub struct OutDir {
    dir: PathBuf,
    _lock: File,
    /// Files the manifest lists (written by an earlier command, or by this one), with their
    /// stamps as written.
    owned: BTreeMap<String, Stamp>,
    /// This command created the folder (it is removed again if nothing was written).
    created: bool,
    overwrite: bool,
}

impl OutDir {
    /// Take the folder `dir` (created if absent): lock it, remove temporary files a killed
    /// command left, read what kubesim wrote there before.
    pub fn open(dir: &Path, overwrite: bool) -> Result<OutDir, InputError> {
        if dir.exists() && !dir.is_dir() {
            return Err(InputError::new(
                "--out",
                format!("{} exists and is not a folder", dir.display()),
                "choose a folder for --out",
            ));
        }
        let created = !dir.exists();
        fs::create_dir_all(dir).map_err(|e| io_error(dir, "create the folder", e))?;
        let lock_path = dir.join(LOCK);
        let mut lock = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(&lock_path)
            .map_err(|e| io_error(&lock_path, "create", e))?;
        match lock.try_lock() {
            Ok(()) => {}
            Err(fs::TryLockError::WouldBlock) => {
                let mut pid = String::new();
                let _ = lock.take(16).read_to_string(&mut pid);
                let pid = pid.trim();
                let who = if !pid.is_empty() && pid.bytes().all(|b| b.is_ascii_digit()) {
                    format!(" (pid {pid})")
                } else {
                    String::new()
                };
                return Err(InputError::new(
                    "--out",
                    format!("{} is in use by another kubesim command{who}", dir.display()),
                    "wait for that command to finish, or choose another --out folder",
                ));
            }
            Err(fs::TryLockError::Error(e)) => return Err(io_error(&lock_path, "lock", e)),
        }
        lock.set_len(0)
            .and_then(|()| lock.seek(SeekFrom::Start(0)))
            .and_then(|_| writeln!(lock, "{}", std::process::id()))
            .map_err(|e| io_error(&lock_path, "write", e))?;
        let owned = read_manifest(dir);
        let out = OutDir {
            dir: dir.to_path_buf(),
            _lock: lock,
            owned,
            created,
            overwrite,
        };
        out.remove_temps();
        Ok(out)
    }

    pub fn path(&self) -> &Path {
        &self.dir
    }

    /// Folders where kubesim may have left temporary files: the folder and the sub-folders of
    /// the files it lists, and `plots/`.
    fn temp_dirs(&self) -> Vec<PathBuf> {
        let mut subs: BTreeSet<&str> = self
            .owned
            .keys()
            .filter_map(|n| n.split_once('/').map(|(d, _)| d))
            .collect();
        subs.insert("plots");
        std::iter::once(self.dir.clone())
            .chain(subs.into_iter().map(|s| self.dir.join(s)))
            .collect()
    }

    fn remove_temps(&self) {
        for d in self.temp_dirs() {
            let Ok(entries) = fs::read_dir(&d) else { continue };
            for e in entries.flatten() {
                let name = e.file_name().to_string_lossy().into_owned();
                if is_temp(&name) && e.file_type().is_ok_and(|t| t.is_file()) {
                    let _ = fs::remove_file(e.path());
                }
            }
        }
    }

    /// Is `name` a file kubesim wrote here, unchanged since?
    fn ours(&self, name: &str) -> bool {
        self.owned
            .get(name)
            .is_some_and(|s| stamp(&self.dir.join(name)).as_ref() == Some(s))
    }

    /// Refuse names that exist and were not written by kubesim (unless `--overwrite`), and names
    /// that are folders. Call it before simulating with the names known in advance, so that a
    /// long run never ends in this error; [`OutDir::write`] checks every name again.
    pub fn check<S: AsRef<str>>(&self, names: &[S]) -> Result<(), InputError> {
        for name in names {
            let name = name.as_ref();
            let path = self.dir.join(name);
            let Ok(meta) = fs::symlink_metadata(&path) else {
                continue;
            };
            if meta.is_dir() {
                return Err(InputError::new(
                    "--out",
                    format!("{} is a folder where kubesim writes a file", path.display()),
                    "move it away or choose another --out folder",
                ));
            }
            if !self.ours(name) && !self.overwrite {
                return Err(InputError::new(
                    "--out",
                    format!("{} exists and was not written by kubesim", path.display()),
                    OVERWRITE_FIX,
                ));
            }
        }
        Ok(())
    }

    /// Write `files` all or nothing, then remove the files kubesim wrote here before that this
    /// command does not write. Returns the paths written, in the order given.
    pub fn write(&mut self, files: &[FilePlan]) -> Result<Vec<PathBuf>, InputError> {
        let names: Vec<&str> = files.iter().map(|(n, _)| n.as_str()).collect();
        assert!(
            names.iter().all(|n| is_safe_entry(n)),
            "output names are plain relative paths"
        );
        self.check(&names)?;
        let mut temps: Vec<(PathBuf, PathBuf)> = Vec::with_capacity(files.len());
        let result = (|| {
            for (name, parts) in files {
                let dest = self.dir.join(name);
                if let Some(parent) = dest.parent() {
                    fs::create_dir_all(parent).map_err(|e| io_error(parent, "create the folder", e))?;
                }
                let tmp = temp_path(&self.dir, name);
                write_parts(&tmp, parts)?;
                temps.push((tmp, dest));
            }
            Ok(())
        })();
        if let Err(e) = result {
            for (t, _) in &temps {
                let _ = fs::remove_file(t);
            }
            return Err(e);
        }
        // The list names the new files (with the stamps of their temporaries, which the
        // rename keeps) beside the old ones while they are renamed in, so a command killed in
        // between leaves no file of ours unlisted.
        let mut new: BTreeMap<String, Stamp> = BTreeMap::new();
        for ((name, _), (tmp, _)) in files.iter().zip(&temps) {
            new.insert(name.clone(), stamp(tmp).unwrap_or_default());
        }
        let mut both = new.clone();
        for (name, s) in &self.owned {
            both.entry(name.clone()).or_insert(*s);
        }
        self.write_manifest(&both)?;
        let mut written = Vec::with_capacity(temps.len());
        for (tmp, dest) in temps {
            fs::rename(&tmp, &dest).map_err(|e| io_error(&dest, "write", e))?;
            written.push(dest);
        }
        let stale: Vec<String> = self.owned.keys().filter(|n| !new.contains_key(*n)).cloned().collect();
        for name in &stale {
            if self.ours(name) {
                let _ = fs::remove_file(self.dir.join(name));
            }
            // A sub-folder of ours left empty goes too (fails, harmlessly, if not empty).
            if let Some((sub, _)) = name.split_once('/') {
                let _ = fs::remove_dir(self.dir.join(sub));
            }
        }
        self.write_manifest(&new)?;
        self.owned = new;
        Ok(written)
    }

    fn write_manifest(&self, names: &BTreeMap<String, Stamp>) -> Result<(), InputError> {
        let mut text = String::from(
            "# Files kubesim wrote in this folder (bytes, modification time in ns, name). kubesim replaces or\n\
             # removes only the files listed here, and only while they are as it wrote them.\n",
        );
        for (n, (len, mtime)) in names {
            text.push_str(&format!("{len}\t{mtime}\t{n}\n"));
        }
        let tmp = temp_path(&self.dir, MANIFEST);
        write_parts(&tmp, &[Part::Bytes(text.as_bytes())])?;
        let dest = self.dir.join(MANIFEST);
        fs::rename(&tmp, &dest).map_err(|e| io_error(&dest, "write", e))
    }
}

impl Drop for OutDir {
    fn drop(&mut self) {
        // Spools and temporaries of a command that failed; a folder this command created and
        // wrote nothing into goes away again.
        self.remove_temps();
        if self.created {
            let only_lock = fs::read_dir(&self.dir)
                .map(|entries| entries.flatten().all(|e| e.file_name() == LOCK))
                .unwrap_or(false);
            if only_lock {
                let _ = fs::remove_file(self.dir.join(LOCK));
                let _ = fs::remove_dir(&self.dir);
            }
        }
    }
}

/// The manifest's entries; lines that are not `bytes<TAB>mtime<TAB>safe name` are ignored.
fn read_manifest(dir: &Path) -> BTreeMap<String, Stamp> {
    let Ok(text) = fs::read_to_string(dir.join(MANIFEST)) else {
        return BTreeMap::new();
    };
    text.lines()
        .filter(|l| !l.starts_with('#'))
        .filter_map(|l| {
            let mut f = l.splitn(3, '\t');
            let len = f.next()?.parse().ok()?;
            let mtime = f.next()?.parse().ok()?;
            let name = f.next()?;
            is_safe_entry(name).then(|| (name.to_string(), (len, mtime)))
        })
        .collect()
}

/// Write `parts` one after the other into a new file at `path`, synced to disk.
pub fn write_parts(path: &Path, parts: &[Part]) -> Result<(), InputError> {
    let result = (|| -> std::io::Result<()> {
        let mut w = std::io::BufWriter::with_capacity(1 << 20, File::create(path)?);
        for part in parts {
            match *part {
                Part::Bytes(b) => w.write_all(b)?,
                Part::File { path: src, offset, len } => {
                    let mut f = File::open(src)?;
                    f.seek(SeekFrom::Start(offset))?;
                    let copied = std::io::copy(&mut f.take(len), &mut w)?;
                    if copied != len {
                        return Err(std::io::Error::new(
                            std::io::ErrorKind::UnexpectedEof,
                            format!("{} is shorter than expected", src.display()),
                        ));
                    }
                }
            }
        }
        w.flush()?;
        w.get_ref().sync_all()
    })();
    result.map_err(|e| {
        let _ = fs::remove_file(path);
        io_error(path, "write", e)
    })
}

/// A single output file (`trace import -o`, `trace generate -o`) written under a temporary name
/// and renamed when complete; refused if it exists (unless `overwrite`) or is the input.
pub fn check_single(out: &Path, inputs: &[&Path], overwrite: bool) -> Result<(), InputError> {
    for input in inputs {
        let same = match (fs::canonicalize(out), fs::canonicalize(input)) {
            (Ok(a), Ok(b)) => a == b,
            _ => false,
        };
        if same {
            return Err(InputError::new(
                "-o",
                format!("{} is the input file", out.display()),
                "write the output to another file",
            ));
        }
    }
    if fs::symlink_metadata(out).is_ok() {
        if out.is_dir() {
            return Err(InputError::new(
                "-o",
                format!("{} is a folder", out.display()),
                "give a file name, e.g. -o trace.kubesim.csv",
            ));
        }
        if !overwrite {
            return Err(InputError::new(
                "-o",
                format!("{} exists", out.display()),
                "choose another output file, or pass --overwrite to replace it",
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fresh(name: &str) -> PathBuf {
        let d = std::env::temp_dir().join(format!("kubesim-outdir-{name}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&d);
        d
    }

    fn files<'a>(list: &[(&str, &'a [u8])]) -> Vec<FilePlan<'a>> {
        list.iter()
            .map(|(n, b)| (n.to_string(), vec![Part::Bytes(b)]))
            .collect()
    }

    fn listing(dir: &Path) -> Vec<String> {
        let mut v: Vec<String> = fs::read_dir(dir)
            .unwrap()
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect();
        v.sort();
        v
    }

    #[test]
    fn temp_names() {
        assert_eq!(
            temp_path(Path::new("out"), "plots/a.svg"),
            Path::new("out/plots/.a.svg.kubesim-tmp")
        );
        for (name, temp) in [
            (".jobs.csv.kubesim-tmp", true),
            (".jobs.csv.tmp-1234", true),
            ("jobs.csv", false),
            (".jobs.csv.tmp-", false),
            (".notes.tmp-x1", false),
            ("a.kubesim-tmp", false),
        ] {
            assert_eq!(is_temp(name), temp, "{name}");
        }
        for (entry, ok) in [
            ("jobs.csv", true),
            ("plots/a.svg", true),
            ("../x", false),
            ("/etc/passwd", false),
            ("a/b/c", false),
            ("./a", false),
            ("", false),
        ] {
            assert_eq!(is_safe_entry(entry), ok, "{entry}");
        }
    }

    #[test]
    fn writes_all_parts_and_removes_its_own_stale_files_only() {
        let d = fresh("stale");
        fs::create_dir_all(&d).unwrap();
        fs::write(d.join("notes.txt"), "mine").unwrap();
        {
            let mut o = OutDir::open(&d, false).unwrap();
            let src = d.join("src.bin");
            fs::write(&src, b"0123456789").unwrap();
            let plan = vec![
                (
                    "a.csv".to_string(),
                    vec![
                        Part::Bytes(b"h\n"),
                        Part::File {
                            path: &src,
                            offset: 2,
                            len: 3,
                        },
                    ],
                ),
                ("events.csv".to_string(), vec![Part::Bytes(b"e\n")]),
                ("plots/p.svg".to_string(), vec![Part::Bytes(b"<svg/>")]),
            ];
            o.write(&plan).unwrap();
            fs::remove_file(&src).unwrap();
        }
        assert_eq!(fs::read_to_string(d.join("a.csv")).unwrap(), "h\n234");
        {
            let mut o = OutDir::open(&d, false).unwrap();
            o.write(&files(&[("a.csv", b"new\n")])).unwrap();
        }
        assert_eq!(fs::read_to_string(d.join("a.csv")).unwrap(), "new\n");
        assert_eq!(
            listing(&d),
            [".kubesim-outputs", ".kubesim.lock", "a.csv", "notes.txt"],
            "events.csv and plots/ of the earlier command are gone, the user's file stays"
        );
        assert_eq!(fs::read_to_string(d.join("notes.txt")).unwrap(), "mine");
        let _ = fs::remove_dir_all(&d);
    }

    #[test]
    fn a_file_of_ours_changed_by_the_user_is_no_longer_ours() {
        let d = fresh("edited");
        let mut o = OutDir::open(&d, false).unwrap();
        o.write(&files(&[("summary.csv", b"kubesim's\n"), ("events.csv", b"e\n")]))
            .unwrap();
        drop(o);
        fs::write(d.join("summary.csv"), "the user's own numbers\n").unwrap();
        fs::write(d.join("events.csv"), "kept by the user\n").unwrap();
        let mut o = OutDir::open(&d, false).unwrap();
        let e = o.check(&["summary.csv"]).unwrap_err();
        assert!(e.message.contains("was not written by kubesim"), "{e}");
        o.write(&files(&[("jobs.csv", b"j\n")])).unwrap();
        drop(o);
        assert_eq!(fs::read_to_string(d.join("events.csv")).unwrap(), "kept by the user\n");
        assert_eq!(
            fs::read_to_string(d.join("summary.csv")).unwrap(),
            "the user's own numbers\n"
        );
        let _ = fs::remove_dir_all(&d);
    }

    #[test]
    fn a_foreign_file_is_refused_before_and_at_writing_unless_overwrite() {
        let d = fresh("foreign");
        fs::create_dir_all(&d).unwrap();
        fs::write(d.join("summary.csv"), "user data").unwrap();
        let mut o = OutDir::open(&d, false).unwrap();
        let e = o.check(&["jobs.csv", "summary.csv"]).unwrap_err();
        assert!(
            e.message.contains("summary.csv exists and was not written by kubesim"),
            "{e}"
        );
        assert!(e.fix.contains("--overwrite"), "{e}");
        assert!(o.write(&files(&[("summary.csv", b"x")])).is_err());
        drop(o);
        assert_eq!(fs::read_to_string(d.join("summary.csv")).unwrap(), "user data");
        let mut o = OutDir::open(&d, true).unwrap();
        o.write(&files(&[("summary.csv", b"x")])).unwrap();
        drop(o);
        assert_eq!(fs::read_to_string(d.join("summary.csv")).unwrap(), "x");
        let _ = fs::remove_dir_all(&d);
    }

    #[test]
    fn a_second_command_on_a_locked_folder_is_refused() {
        let d = fresh("lock");
        let first = OutDir::open(&d, false).unwrap();
        let e = OutDir::open(&d, false).unwrap_err();
        assert!(e.message.contains("in use by another kubesim command"), "{e}");
        assert!(e.message.contains(&format!("pid {}", std::process::id())), "{e}");
        drop(first);
        assert!(OutDir::open(&d, false).is_ok(), "the lock is released with the command");
        let _ = fs::remove_dir_all(&d);
    }

    #[test]
    fn temporary_files_of_a_killed_command_are_removed_and_a_bad_manifest_deletes_nothing() {
        let d = fresh("temps");
        fs::create_dir_all(d.join("plots")).unwrap();
        fs::write(d.join(".jobs.csv.kubesim-tmp"), "half").unwrap();
        fs::write(d.join("plots/.a.svg.kubesim-tmp"), "half").unwrap();
        fs::write(d.join(".summary.csv.tmp-4242"), "half").unwrap();
        let outside = fresh("outside");
        fs::create_dir_all(&outside).unwrap();
        fs::write(outside.join("precious"), "x").unwrap();
        let precious = outside.join("precious");
        fs::write(d.join("kept.csv"), "old").unwrap();
        let line = |p: &Path, name: &str| {
            let (len, mtime) = stamp(p).unwrap();
            format!("{len}\t{mtime}\t{name}\n")
        };
        let evil = format!(
            "# edited\n{}{}{}garbage\n",
            line(
                &precious,
                &format!("../{}/precious", outside.file_name().unwrap().to_string_lossy())
            ),
            line(Path::new("/etc/hostname"), "/etc/hostname"),
            line(&d.join("kept.csv"), "kept.csv"),
        );
        fs::write(d.join(MANIFEST), evil).unwrap();
        let mut o = OutDir::open(&d, false).unwrap();
        assert_eq!(listing(&d), [".kubesim-outputs", ".kubesim.lock", "kept.csv", "plots"]);
        assert!(listing(&d.join("plots")).is_empty());
        o.write(&files(&[("new.csv", b"n")])).unwrap();
        assert!(outside.join("precious").exists(), "only safe entries are ever removed");
        assert!(
            !d.join("kept.csv").exists(),
            "a listed file of ours not written again is removed"
        );
        let _ = fs::remove_dir_all(&d);
        let _ = fs::remove_dir_all(&outside);
    }

    #[test]
    fn a_folder_created_for_a_failed_command_is_removed() {
        let d = fresh("created");
        let o = OutDir::open(&d, false).unwrap();
        fs::write(temp_path(&d, "events-0.csv"), "spool").unwrap();
        drop(o);
        assert!(!d.exists());
    }

    #[test]
    fn single_files_are_not_replaced_without_overwrite_and_never_the_input() {
        let d = fresh("single");
        fs::create_dir_all(&d).unwrap();
        let input = d.join("in.csv");
        fs::write(&input, "x").unwrap();
        let e = check_single(&input, &[&input], true).unwrap_err();
        assert!(e.message.contains("is the input file"), "{e}");
        let e = check_single(&d.join("./in.csv"), &[&input], true).unwrap_err();
        assert!(e.message.contains("is the input file"), "{e}");
        let other = d.join("out.csv");
        assert!(check_single(&other, &[&input], false).is_ok());
        fs::write(&other, "y").unwrap();
        let e = check_single(&other, &[&input], false).unwrap_err();
        assert!(e.fix.contains("--overwrite"), "{e}");
        assert!(check_single(&other, &[&input], true).is_ok());
        let _ = fs::remove_dir_all(&d);
    }
}
