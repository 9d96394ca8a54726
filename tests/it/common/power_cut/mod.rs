//! A directory whose power can be cut: a FUSE mount (the `fuser` crate, on
//! /dev/fuse) of an in-memory disk that keeps only what was fsynced (see
//! `disk`). A cut unmounts, drops all the disk did not make durable, and
//! mounts again: as a machine that lost power and booted, with no kernel
//! cache left over from before.
//!
//! Mounting needs /dev/fuse and root (CI is root); anyone else needs
//! fusermount3 from Debian's `fuse3`. Without them the test fails saying so,
//! never skips.

mod disk;
mod fuse;

use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use fuser::{BackgroundSession, Config, MountOption};

use disk::Disk;
use fuse::Served;

/// The mounted disk; dropping it unmounts.
pub struct PowerCutDir {
    disk: Arc<Mutex<Disk>>,
    at: PathBuf,
    session: Option<BackgroundSession>,
}

impl PowerCutDir {
    /// An empty disk mounted on `at`, an existing empty directory.
    pub fn mount(at: &Path) -> Self {
        let meta = std::fs::metadata(at).expect("the mount point");
        let disk = Arc::new(Mutex::new(Disk::new(meta.uid(), meta.gid())));
        let session = Some(serve(&disk, at));
        PowerCutDir {
            disk,
            at: at.to_owned(),
            session,
        }
    }

    pub fn path(&self) -> &Path {
        &self.at
    }

    /// The power goes and comes back. Every process using the mount must
    /// have ended (a kill and a wait): the unmount fails while one holds it.
    pub fn cut(&mut self) {
        if let Some(session) = self.session.take() {
            session
                .umount_and_join()
                .expect("unmounting for the cut (is a process still using the mount?)");
        }
        self.disk.lock().expect("the disk's lock").cut();
        self.session = Some(serve(&self.disk, &self.at));
    }

    /// Makes everything durable, as `sync` would.
    pub fn settle(&self) {
        self.disk.lock().expect("the disk's lock").settle();
    }
}

fn serve(disk: &Arc<Mutex<Disk>>, at: &Path) -> BackgroundSession {
    let mut config = Config::default();
    config.mount_options = vec![
        MountOption::FSName("till-power-cut".into()),
        MountOption::DefaultPermissions,
    ];
    fuser::spawn_mount(Served(Arc::clone(disk)), at, &config).unwrap_or_else(|e| {
        panic!(
            "the power-cut test needs FUSE and cannot mount on {}: {e}. It needs the \
             /dev/fuse device (`modprobe fuse`; in a container, `--device /dev/fuse` and \
             CAP_SYS_ADMIN) and root, or else Debian's `fuse3` package (fusermount3)",
            at.display()
        )
    })
}
