//! How many connections the daemon takes, and how long it waits on each.
//!
//! Anyone in the `till` group can open the socket, so a flood of idle or
//! half-spoken connections must neither spend the daemon's threads, memory
//! and open files nor stop the kiosk's screen: each connection is a thread
//! (a screen's requests are short and one at a time, and the engine is
//! behind one lock anyway), but only [`MAX_SCREENS`] of them at once and
//! [`MAX_PER_USER`] for one Unix user, so a hostile user fills only its own
//! share. A connection has [`HELLO_TIME`] to say Hello, and once a frame has
//! begun its whole frame must arrive within [`FRAME_TIME`]; between frames a
//! screen may sit idle as long as it likes (a login screen waits for hours).

use std::collections::HashMap;
use std::io::{self, Read};
use std::os::unix::net::UnixStream;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde::de::DeserializeOwned;

use super::frame;

/// Connections served at once, whoever opens them.
pub const MAX_SCREENS: usize = 128;
/// Connections of one Unix user at once: the kiosk, a few managers' screens
/// and their notice streams fit many times over.
pub const MAX_PER_USER: usize = 32;
/// From accept to a whole Hello.
pub const HELLO_TIME: Duration = Duration::from_secs(2);
/// From a frame's first byte to its last.
pub const FRAME_TIME: Duration = Duration::from_secs(5);
/// The longest one write to a screen may wait: a peer that stops reading its
/// answers is dropped rather than holding its thread.
pub const WRITE_TIME: Duration = Duration::from_secs(10);
/// A frame from a connection with nobody logged in: a Hello, a Login or a
/// Subscribe is a few dozen bytes.
pub const ANONYMOUS_FRAME: usize = 64 * 1024;

/// The connections held now: in all, and per Unix user.
#[derive(Default)]
pub struct Door {
    held: Mutex<(usize, HashMap<u32, usize>)>,
}

/// One connection's place; given back when its thread ends, however it ends.
pub struct Place {
    door: Arc<Door>,
    uid: u32,
}

impl Drop for Place {
    fn drop(&mut self) {
        let mut held = self.door.held.lock().unwrap_or_else(|p| p.into_inner());
        held.0 = held.0.saturating_sub(1);
        if let Some(n) = held.1.get_mut(&self.uid) {
            *n = n.saturating_sub(1);
            if *n == 0 {
                held.1.remove(&self.uid);
            }
        }
    }
}

impl Door {
    /// A place for a connection of `uid`, or why there is none.
    pub fn enter(self: &Arc<Door>, uid: u32) -> Result<Place, &'static str> {
        let mut held = self.held.lock().unwrap_or_else(|p| p.into_inner());
        let mine = held.1.get(&uid).copied().unwrap_or(0);
        if held.0 >= MAX_SCREENS {
            return Err("the daemon serves as many screens as it can: try again shortly");
        }
        if mine >= MAX_PER_USER {
            return Err("this user has as many screens attached as the daemon allows");
        }
        held.0 += 1;
        *held.1.entry(uid).or_default() += 1;
        Ok(Place {
            door: self.clone(),
            uid,
        })
    }
}

/// Reads from a socket until one deadline: each read waits only what is left.
struct Until<'a> {
    stream: &'a UnixStream,
    until: Instant,
}

impl Read for Until<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let left = self.until.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Err(io::Error::new(
                io::ErrorKind::TimedOut,
                "the frame took too long",
            ));
        }
        self.stream.set_read_timeout(Some(left))?;
        (&mut &*self.stream).read(buf)
    }
}

/// Reads one frame of at most `limit` bytes. With `by`, the whole frame must
/// be in by then (the Hello); without, the first byte may take as long as
/// the peer likes and the rest must follow within [`FRAME_TIME`].
/// `Ok(None)`: the peer closed between frames.
pub fn read<T: DeserializeOwned>(
    stream: &UnixStream,
    limit: usize,
    by: Option<Instant>,
) -> io::Result<Option<T>> {
    let mut first = [0u8; 1];
    let until = match by {
        Some(until) => {
            if (Until { stream, until }).read(&mut first)? == 0 {
                return Ok(None);
            }
            until
        }
        None => {
            stream.set_read_timeout(None)?;
            loop {
                match (&mut &*stream).read(&mut first) {
                    Ok(0) => return Ok(None),
                    Ok(_) => break,
                    Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                    Err(e) => return Err(e),
                }
            }
            Instant::now() + FRAME_TIME
        }
    };
    let mut rest = (&first[..]).chain(Until { stream, until });
    match frame::read_within(&mut rest, limit) {
        // The first byte was in: a close now is inside the frame.
        Ok(None) => Err(io::Error::new(
            io::ErrorKind::UnexpectedEof,
            "the connection closed inside a frame",
        )),
        other => other,
    }
}
