//! A store's files are for the till's own user only.
//!
//! The store holds the staff's PIN hashes (argon2, but a 4-digit PIN is
//! 10,000 guesses: a copy of the hashes falls to an offline search in
//! minutes), the terminal's signing key, the customers' key and the
//! customers themselves. Under the usual umask (022) sled creates its
//! directory and files world-readable, so every user of the machine could
//! copy them. Here the store is made private: directories 0700 and files
//! 0600, whatever the umask. One exception: the Debian package makes the
//! store's own directory `till:till 0750` (`packaging/debian/postinst`,
//! checked by `packaging/check-installed`), so a store directory whose group
//! is the package's keeps group search there; what it holds stays the
//! owner's alone, since that group also holds the kiosk screen, which may
//! reach the daemon's socket and nothing else.
//!
//! sled creates its files itself (`db`, `conf`, `blobs/`, and `snap.*` later
//! from its flusher thread) with no mode of its own: only the process umask
//! reaches them, so [`restrict_umask`] tightens it before sled opens and
//! leaves it so. [`secure`] then fixes what an older till, a copy or a
//! restore left looser, and says so.

use std::fs::{DirBuilder, Permissions};
use std::os::unix::fs::{DirBuilderExt, MetadataExt, PermissionsExt};
use std::path::Path;

use rustix::fs::Mode;

use super::error::StoreError;

/// The Debian package's group (`packaging/debian/postinst`).
const PACKAGE_GROUP: &str = "till";

/// Permission bits nobody but the owner may have.
const OWNER_ONLY: u32 = 0o077;
/// The package's store directory may also be searched by its group.
const PACKAGE_DIR: u32 = 0o027;

/// Makes everything this process creates from now on private to its user
/// (the umask gains 077; bits it already masked stay masked). Process-wide
/// on purpose: sled's later files and the logs must be private too, and a
/// till writes nothing that others should read (the daemon's socket sets its
/// own mode after binding).
pub fn restrict_umask() {
    let before = rustix::process::umask(Mode::from_raw_mode(OWNER_ONLY));
    rustix::process::umask(before | Mode::from_raw_mode(OWNER_ONLY));
}

/// Creates `path` (and missing parents) as private directories.
pub fn create_dir(path: &Path) -> Result<(), StoreError> {
    DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(path)
        .map_err(|e| StoreError::io(path, e))
}

/// Takes from `dir` and everything in it the permissions others may not
/// have, warning for each path found looser. Refuses, naming the `chmod` to
/// run, when a path cannot be fixed (another user owns it). Symbolic links
/// are not followed, and sockets or pipes keep their modes.
pub fn secure(dir: &Path) -> Result<(), StoreError> {
    let meta = std::fs::symlink_metadata(dir).map_err(|e| StoreError::io(dir, e))?;
    let allowed = if package_gid().is_some_and(|gid| gid == meta.gid()) {
        PACKAGE_DIR
    } else {
        OWNER_ONLY
    };
    tighten(dir, dir, meta.mode(), allowed)?;
    walk(dir, dir)
}

fn walk(store: &Path, dir: &Path) -> Result<(), StoreError> {
    let entries = std::fs::read_dir(dir).map_err(|e| StoreError::io(dir, e))?;
    for entry in entries {
        let entry = entry.map_err(|e| StoreError::io(dir, e))?;
        let path = entry.path();
        let meta = std::fs::symlink_metadata(&path).map_err(|e| StoreError::io(&path, e))?;
        if meta.is_dir() {
            tighten(store, &path, meta.mode(), OWNER_ONLY)?;
            walk(store, &path)?;
        } else if meta.is_file() {
            tighten(store, &path, meta.mode(), OWNER_ONLY)?;
        }
    }
    Ok(())
}

/// Removes the bits of `forbidden` that `path`'s `mode` has.
fn tighten(store: &Path, path: &Path, mode: u32, forbidden: u32) -> Result<(), StoreError> {
    let loose = mode & forbidden;
    if loose == 0 {
        return Ok(());
    }
    let found = mode & 0o7777;
    std::fs::set_permissions(path, Permissions::from_mode(found & !loose)).map_err(|e| {
        if e.kind() == std::io::ErrorKind::PermissionDenied {
            StoreError::NotPrivate {
                path: path.to_path_buf(),
                mode: found,
                store: store.to_path_buf(),
            }
        } else {
            StoreError::io(path, e)
        }
    })?;
    tracing::warn!(
        path = %path.display(),
        mode = %format!("{found:o}"),
        "a store path was open to other users; made it private"
    );
    Ok(())
}

/// The package group's id, from `/etc/group` (where `adduser --system
/// --group` puts it); `None` where the package was never installed.
fn package_gid() -> Option<u32> {
    let groups = std::fs::read_to_string("/etc/group").ok()?;
    groups.lines().find_map(|line| {
        let mut fields = line.split(':');
        (fields.next() == Some(PACKAGE_GROUP))
            .then(|| fields.nth(1)?.parse().ok())
            .flatten()
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn mode(path: &Path) -> u32 {
        std::fs::metadata(path).unwrap().mode() & 0o777
    }

    #[test]
    fn loose_files_and_directories_lose_what_others_could_do() {
        let dir = tempfile::tempdir().unwrap();
        let store = dir.path().join("store");
        std::fs::create_dir_all(store.join("blobs")).unwrap();
        std::fs::write(store.join("db"), b"").unwrap();
        std::fs::write(store.join("blobs/1"), b"").unwrap();
        std::fs::write(store.join("terminal.key"), b"").unwrap();
        let set = |p: &str, m: u32| {
            std::fs::set_permissions(store.join(p), Permissions::from_mode(m)).unwrap()
        };
        set("", 0o755);
        set("blobs", 0o775);
        set("db", 0o644);
        set("blobs/1", 0o666);
        set("terminal.key", 0o400);
        secure(&store).unwrap();
        let top = if package_gid() == Some(std::fs::metadata(&store).unwrap().gid()) {
            0o750
        } else {
            0o700
        };
        assert_eq!(mode(&store), top);
        assert_eq!(mode(&store.join("blobs")), 0o700);
        assert_eq!(mode(&store.join("db")), 0o600);
        assert_eq!(mode(&store.join("blobs/1")), 0o600);
        assert_eq!(mode(&store.join("terminal.key")), 0o400, "never loosened");
    }

    #[test]
    fn new_directories_are_private() {
        let dir = tempfile::tempdir().unwrap();
        let store = dir.path().join("a/b");
        create_dir(&store).unwrap();
        assert_eq!(mode(&store), 0o700);
        assert_eq!(mode(&dir.path().join("a")), 0o700);
    }
}
