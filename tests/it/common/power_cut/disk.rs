//! A disk with a volatile page cache, in memory: every file and directory
//! holds what a reader sees now and what would survive a power cut. Only an
//! fsync makes the first the second: fsync or fdatasync of a file its data
//! and size (fsync its mode too), fsync of a directory its entries (new
//! files, renames, unlinks). [`Disk::cut`] is the power going: everything
//! not made durable is gone, so a renamed file is back under its old name
//! and a file created since its directory's last fsync is not there at all.
//!
//! It knows nothing of FUSE beyond its error numbers; `fuse.rs` serves it.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::ffi::{OsStr, OsString};
use std::time::SystemTime;

use fuser::{Errno, FileAttr, FileType, INodeNo, RenameFlags};

/// What a node holds: a file's bytes or a directory's names, twice.
enum Content {
    File {
        now: Vec<u8>,
        durable: Vec<u8>,
    },
    Dir {
        now: BTreeMap<OsString, u64>,
        durable: BTreeMap<OsString, u64>,
    },
}

struct Node {
    content: Content,
    mode: u16,
    durable_mode: u16,
    uid: u32,
    gid: u32,
    mtime: SystemTime,
}

impl Node {
    fn new(content: Content, mode: u16, uid: u32, gid: u32) -> Self {
        Node {
            content,
            mode,
            // A new node's mode is the one it was created with, durable as
            // soon as its name is.
            durable_mode: mode,
            uid,
            gid,
            mtime: SystemTime::now(),
        }
    }

    fn kind(&self) -> FileType {
        match self.content {
            Content::File { .. } => FileType::RegularFile,
            Content::Dir { .. } => FileType::Directory,
        }
    }
}

/// The whole disk: nodes by inode number, the root being [`INodeNo::ROOT`].
pub struct Disk {
    nodes: HashMap<u64, Node>,
    next_ino: u64,
}

impl Disk {
    /// An empty disk whose root directory belongs to `uid`:`gid`.
    pub fn new(uid: u32, gid: u32) -> Self {
        let root = Node::new(
            Content::Dir {
                now: BTreeMap::new(),
                durable: BTreeMap::new(),
            },
            0o755,
            uid,
            gid,
        );
        Disk {
            nodes: HashMap::from([(INodeNo::ROOT.0, root)]),
            next_ino: INodeNo::ROOT.0 + 1,
        }
    }

    /// The power goes: every node falls back to what was made durable, and
    /// what no durable directory entry reaches from the root is gone.
    pub fn cut(&mut self) {
        for node in self.nodes.values_mut() {
            node.mode = node.durable_mode;
            match &mut node.content {
                Content::File { now, durable } => now.clone_from(durable),
                Content::Dir { now, durable } => now.clone_from(durable),
            }
        }
        let mut reached = HashSet::from([INodeNo::ROOT.0]);
        let mut todo = vec![INodeNo::ROOT.0];
        while let Some(ino) = todo.pop() {
            if let Some(Node {
                content: Content::Dir { now, .. },
                ..
            }) = self.nodes.get(&ino)
            {
                todo.extend(now.values().filter(|child| reached.insert(**child)));
            }
        }
        self.nodes.retain(|ino, _| reached.contains(ino));
    }

    /// Everything durable, as after `sync` and a clean shutdown.
    pub fn settle(&mut self) {
        for node in self.nodes.values_mut() {
            node.durable_mode = node.mode;
            match &mut node.content {
                Content::File { now, durable } => durable.clone_from(now),
                Content::Dir { now, durable } => durable.clone_from(now),
            }
        }
    }

    fn node(&self, ino: INodeNo) -> Result<&Node, Errno> {
        self.nodes.get(&ino.0).ok_or(Errno::ENOENT)
    }

    fn node_mut(&mut self, ino: INodeNo) -> Result<&mut Node, Errno> {
        self.nodes.get_mut(&ino.0).ok_or(Errno::ENOENT)
    }

    fn entries_mut(&mut self, dir: INodeNo) -> Result<&mut BTreeMap<OsString, u64>, Errno> {
        match &mut self.node_mut(dir)?.content {
            Content::Dir { now, .. } => Ok(now),
            Content::File { .. } => Err(Errno::ENOTDIR),
        }
    }

    fn file_mut(&mut self, ino: INodeNo) -> Result<&mut Vec<u8>, Errno> {
        let node = self.node_mut(ino)?;
        node.mtime = SystemTime::now();
        match &mut node.content {
            Content::File { now, .. } => Ok(now),
            Content::Dir { .. } => Err(Errno::EISDIR),
        }
    }

    /// What `stat` shows of `ino` now.
    pub fn attr(&self, ino: INodeNo) -> Result<FileAttr, Errno> {
        let node = self.node(ino)?;
        let (size, nlink) = match &node.content {
            Content::File { now, .. } => (now.len() as u64, 1),
            Content::Dir { now, .. } => (now.len() as u64, 2),
        };
        Ok(FileAttr {
            ino,
            size,
            blocks: size.div_ceil(512),
            atime: node.mtime,
            mtime: node.mtime,
            ctime: node.mtime,
            crtime: node.mtime,
            kind: node.kind(),
            perm: node.mode,
            nlink,
            uid: node.uid,
            gid: node.gid,
            rdev: 0,
            blksize: 4096,
            flags: 0,
        })
    }

    pub fn lookup(&self, dir: INodeNo, name: &OsStr) -> Result<FileAttr, Errno> {
        match &self.node(dir)?.content {
            Content::Dir { now, .. } => {
                let ino = now.get(name).ok_or(Errno::ENOENT)?;
                self.attr(INodeNo(*ino))
            }
            Content::File { .. } => Err(Errno::ENOTDIR),
        }
    }

    /// The names in `dir` now, with their inodes and kinds.
    pub fn entries(&self, dir: INodeNo) -> Result<Vec<(INodeNo, FileType, OsString)>, Errno> {
        match &self.node(dir)?.content {
            Content::Dir { now, .. } => Ok(now
                .iter()
                .filter_map(|(name, ino)| {
                    let kind = self.nodes.get(ino)?.kind();
                    Some((INodeNo(*ino), kind, name.clone()))
                })
                .collect()),
            Content::File { .. } => Err(Errno::ENOTDIR),
        }
    }

    /// A new file or directory named `name` in `dir`: in the cache only,
    /// until `dir` is fsynced.
    pub fn make(
        &mut self,
        dir: INodeNo,
        name: &OsStr,
        kind: FileType,
        mode: u32,
        owner: (u32, u32),
    ) -> Result<FileAttr, Errno> {
        let content = match kind {
            FileType::Directory => Content::Dir {
                now: BTreeMap::new(),
                durable: BTreeMap::new(),
            },
            FileType::RegularFile => Content::File {
                now: Vec::new(),
                durable: Vec::new(),
            },
            _ => return Err(Errno::EPERM),
        };
        let ino = self.next_ino;
        let entries = self.entries_mut(dir)?;
        if entries.contains_key(name) {
            return Err(Errno::EEXIST);
        }
        entries.insert(name.to_owned(), ino);
        self.next_ino += 1;
        let perm = (mode & 0o7777) as u16;
        self.nodes
            .insert(ino, Node::new(content, perm, owner.0, owner.1));
        self.attr(INodeNo(ino))
    }

    /// Takes `name` out of `dir` (in the cache); a directory must be empty.
    /// The node stays while a durable entry or an open file may still need it.
    pub fn remove(&mut self, dir: INodeNo, name: &OsStr, want_dir: bool) -> Result<(), Errno> {
        let attr = self.lookup(dir, name)?;
        match (attr.kind, want_dir) {
            (FileType::Directory, false) => return Err(Errno::EISDIR),
            (FileType::Directory, true) if attr.size > 0 => return Err(Errno::ENOTEMPTY),
            (FileType::RegularFile, true) => return Err(Errno::ENOTDIR),
            _ => {}
        }
        self.entries_mut(dir)?.remove(name);
        Ok(())
    }

    /// `rename(2)`: in the cache of both directories, durable with their fsyncs.
    pub fn rename(
        &mut self,
        from: (INodeNo, &OsStr),
        to: (INodeNo, &OsStr),
        flags: RenameFlags,
    ) -> Result<(), Errno> {
        if flags.contains(RenameFlags::RENAME_EXCHANGE)
            || flags.contains(RenameFlags::RENAME_WHITEOUT)
        {
            return Err(Errno::EINVAL);
        }
        let moving = self.lookup(from.0, from.1)?;
        match self.lookup(to.0, to.1) {
            Ok(_) if flags.contains(RenameFlags::RENAME_NOREPLACE) => return Err(Errno::EEXIST),
            Ok(there) if there.ino == moving.ino => return Ok(()),
            Ok(there) => self.remove(to.0, to.1, there.kind == FileType::Directory)?,
            Err(_) => {}
        }
        self.entries_mut(from.0)?.remove(from.1);
        self.entries_mut(to.0)?
            .insert(to.1.to_owned(), moving.ino.0);
        Ok(())
    }

    pub fn read(&self, ino: INodeNo, offset: u64, size: u32) -> Result<&[u8], Errno> {
        match &self.node(ino)?.content {
            Content::File { now, .. } => {
                let start = (offset as usize).min(now.len());
                let end = start.saturating_add(size as usize).min(now.len());
                Ok(&now[start..end])
            }
            Content::Dir { .. } => Err(Errno::EISDIR),
        }
    }

    /// `pwrite(2)` into the cache; a write past the end fills the gap with zeros.
    pub fn write(&mut self, ino: INodeNo, offset: u64, data: &[u8]) -> Result<(), Errno> {
        let file = self.file_mut(ino)?;
        let end = offset as usize + data.len();
        if file.len() < end {
            file.resize(end, 0);
        }
        file[offset as usize..end].copy_from_slice(data);
        Ok(())
    }

    /// `ftruncate(2)`, in the cache.
    pub fn set_size(&mut self, ino: INodeNo, size: u64) -> Result<(), Errno> {
        self.file_mut(ino)?.resize(size as usize, 0);
        Ok(())
    }

    /// `fallocate(2)` with mode 0 grows the file; `FALLOC_FL_KEEP_SIZE`
    /// (1) changes nothing anyone can read; other modes are not modelled.
    pub fn allocate(
        &mut self,
        ino: INodeNo,
        offset: u64,
        length: u64,
        mode: i32,
    ) -> Result<(), Errno> {
        const KEEP_SIZE: i32 = 1;
        let file = self.file_mut(ino)?;
        match mode {
            0 => {
                let end = (offset + length) as usize;
                if file.len() < end {
                    file.resize(end, 0);
                }
                Ok(())
            }
            KEEP_SIZE => Ok(()),
            _ => Err(Errno::EOPNOTSUPP),
        }
    }

    /// `chmod(2)`, in the cache until an fsync of the file.
    pub fn set_mode(&mut self, ino: INodeNo, mode: u32) -> Result<(), Errno> {
        self.node_mut(ino)?.mode = (mode & 0o7777) as u16;
        Ok(())
    }

    /// `chown(2)`; ownership is not what this disk is about, so it holds at once.
    pub fn set_owner(
        &mut self,
        ino: INodeNo,
        uid: Option<u32>,
        gid: Option<u32>,
    ) -> Result<(), Errno> {
        let node = self.node_mut(ino)?;
        node.uid = uid.unwrap_or(node.uid);
        node.gid = gid.unwrap_or(node.gid);
        Ok(())
    }

    /// fsync (`datasync` false) or fdatasync of a file: its data and size
    /// become durable, and with fsync its mode. On a directory, its entries.
    pub fn sync(&mut self, ino: INodeNo, datasync: bool) -> Result<(), Errno> {
        let node = self.node_mut(ino)?;
        if !datasync {
            node.durable_mode = node.mode;
        }
        match &mut node.content {
            Content::File { now, durable } => durable.clone_from(now),
            Content::Dir { now, durable } => durable.clone_from(now),
        }
        Ok(())
    }
}
