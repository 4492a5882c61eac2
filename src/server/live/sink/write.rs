//! A sink's one way to the socket: a non-blocking vectored write of whole frames, resumed
//! where the last one stopped.

use std::io::{self, IoSlice};

use socket2::SockRef;
use tokio::io::Interest;
use tokio::net::TcpStream;

use super::{BATCH_BYTES, BATCH_FRAMES};
use crate::server::live::frame::{EventFrame, Framing};

/// One non-blocking vectored write of up to [`BATCH_FRAMES`] frames (about [`BATCH_BYTES`]),
/// the first from byte `first_written` on. Returns how many frames are now wholly written and
/// how much of the next one; `(0, first_written)` when the socket takes nothing now.
pub(super) fn write_frames<'f>(
    socket: &TcpStream,
    frames: impl Iterator<Item = &'f EventFrame>,
    first_written: usize,
    framing: Framing,
) -> io::Result<(usize, usize)> {
    let mut slices = [IoSlice::new(&[]); BATCH_FRAMES];
    let mut count = 0;
    let mut bytes = 0;
    for frame in frames {
        let part = &frame.wire(framing)[if count == 0 { first_written } else { 0 }..];
        if count == BATCH_FRAMES || (count > 0 && bytes + part.len() > BATCH_BYTES) {
            break;
        }
        bytes += part.len();
        slices[count] = IoSlice::new(part);
        count += 1;
    }
    let written = if count == 1 {
        // One slice, the usual case: `send` is a shorter way through the kernel than `writev`.
        socket.try_io(Interest::WRITABLE, || {
            SockRef::from(socket).send(&slices[0])
        })
    } else {
        socket.try_write_vectored(&slices[..count])
    };
    let mut n = match written {
        Ok(0) if bytes > 0 => return Err(io::ErrorKind::WriteZero.into()),
        Ok(n) => n,
        // Interrupted: nothing went; the socket is tried again when writable.
        Err(error)
            if matches!(
                error.kind(),
                io::ErrorKind::WouldBlock | io::ErrorKind::Interrupted
            ) =>
        {
            0
        }
        Err(error) => return Err(error),
    };
    for (i, slice) in slices[..count].iter().enumerate() {
        if n < slice.len() {
            let offset = if i == 0 { first_written } else { 0 };
            return Ok((i, offset + n));
        }
        n -= slice.len();
    }
    Ok((count, 0))
}
