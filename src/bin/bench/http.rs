//! Just enough HTTP/1.1 over TCP for a load generator: requests on a kept-alive connection, and
//! a streaming reader that undoes chunked framing. Thousands of SSE subscribers stay cheap.

use std::io;
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// `http://host:port` split into the address to dial and the `Host` header.
pub fn authority(base: &str) -> String {
    base.trim_start_matches("http://")
        .trim_end_matches('/')
        .to_owned()
}

pub struct HttpResponse {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl HttpResponse {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// A kept-alive connection for request/response calls.
pub struct HttpConn {
    stream: TcpStream,
    host: String,
    buf: Vec<u8>,
}

impl HttpConn {
    pub async fn open(base: &str) -> io::Result<HttpConn> {
        let host = authority(base);
        let stream = TcpStream::connect(&host).await?;
        stream.set_nodelay(true)?;
        Ok(HttpConn {
            stream,
            host,
            buf: Vec::new(),
        })
    }

    pub async fn request(
        &mut self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: &[u8],
    ) -> io::Result<HttpResponse> {
        let mut head = format!(
            "{method} {path} HTTP/1.1\r\nHost: {}\r\nContent-Length: {}\r\n",
            self.host,
            body.len()
        );
        for (k, v) in headers {
            head.push_str(&format!("{k}: {v}\r\n"));
        }
        head.push_str("\r\n");
        let mut out = head.into_bytes();
        out.extend_from_slice(body);
        self.stream.write_all(&out).await?;
        let (status, headers) = read_head(&mut self.stream, &mut self.buf).await?;
        let body = if let Some(len) = find(&headers, "content-length") {
            let len: usize = len.parse().map_err(|_| bad("content-length"))?;
            self.read_exact_body(len).await?
        } else if find(&headers, "transfer-encoding").is_some_and(|v| v.contains("chunked")) {
            let mut dechunker = Dechunker::default();
            let mut body = Vec::new();
            loop {
                let done = dechunker.feed(&std::mem::take(&mut self.buf), &mut body)?;
                if done {
                    break;
                }
                let mut chunk = [0u8; 16 * 1024];
                let n = self.stream.read(&mut chunk).await?;
                if n == 0 {
                    return Err(bad("connection closed mid-body"));
                }
                self.buf.extend_from_slice(&chunk[..n]);
            }
            body
        } else {
            Vec::new()
        };
        Ok(HttpResponse {
            status,
            headers,
            body,
        })
    }

    /// Sends a JSON body (as `cookie`'s guest, if given) and requires a 2xx answer.
    pub async fn send_json(
        &mut self,
        method: &str,
        path: &str,
        cookie: Option<&str>,
        body: &serde_json::Value,
    ) -> anyhow::Result<HttpResponse> {
        let mut headers = vec![("Content-Type", "application/json")];
        headers.extend(cookie.map(|c| ("Cookie", c)));
        let response = self
            .request(method, path, &headers, body.to_string().as_bytes())
            .await?;
        anyhow::ensure!(
            (200..300).contains(&response.status),
            "{method} {path} answered {}",
            response.status
        );
        Ok(response)
    }

    async fn read_exact_body(&mut self, len: usize) -> io::Result<Vec<u8>> {
        while self.buf.len() < len {
            let mut chunk = [0u8; 16 * 1024];
            let n = self.stream.read(&mut chunk).await?;
            if n == 0 {
                return Err(bad("connection closed mid-body"));
            }
            self.buf.extend_from_slice(&chunk[..n]);
        }
        let rest = self.buf.split_off(len);
        Ok(std::mem::replace(&mut self.buf, rest))
    }
}

fn find<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
}

fn bad(what: &str) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, what.to_owned())
}

/// Reads a response head; leaves any bytes after it in `buf`.
pub async fn read_head(
    stream: &mut TcpStream,
    buf: &mut Vec<u8>,
) -> io::Result<(u16, Vec<(String, String)>)> {
    loop {
        let mut headers = [httparse::EMPTY_HEADER; 64];
        let mut response = httparse::Response::new(&mut headers);
        match response.parse(buf) {
            Ok(httparse::Status::Complete(end)) => {
                let status = response.code.ok_or_else(|| bad("status line"))?;
                let headers = response
                    .headers
                    .iter()
                    .map(|h| {
                        let value = String::from_utf8_lossy(h.value).into_owned();
                        (h.name.to_owned(), value)
                    })
                    .collect();
                buf.drain(..end);
                return Ok((status, headers));
            }
            Ok(httparse::Status::Partial) => {}
            Err(error) => return Err(bad(&format!("response head: {error}"))),
        }
        let mut chunk = [0u8; 8 * 1024];
        let n = stream.read(&mut chunk).await?;
        if n == 0 {
            return Err(bad("connection closed before the response head"));
        }
        buf.extend_from_slice(&chunk[..n]);
    }
}

/// Undoes `Transfer-Encoding: chunked` incrementally.
#[derive(Default)]
pub struct Dechunker {
    pending: Vec<u8>,
    /// Payload bytes left in the current chunk, then its CRLF.
    left: usize,
    in_chunk: bool,
    /// The final zero-size chunk has come: what follows (the trailer) is not body.
    finished: bool,
}

impl Dechunker {
    /// Appends the payload in `input` to `out`; true at the final zero-size chunk, an error
    /// at a chunk size that is not one.
    pub fn feed(&mut self, input: &[u8], out: &mut Vec<u8>) -> io::Result<bool> {
        if self.finished {
            return Ok(true);
        }
        self.pending.extend_from_slice(input);
        let mut at = 0;
        loop {
            if self.in_chunk {
                let take = self.left.min(self.pending.len() - at);
                out.extend_from_slice(&self.pending[at..at + take]);
                at += take;
                self.left -= take;
                if self.left > 0 || self.pending.len() - at < 2 {
                    break;
                }
                at += 2; // CRLF after the chunk
                self.in_chunk = false;
            } else {
                let Some(eol) = self.pending[at..].windows(2).position(|w| w == b"\r\n") else {
                    break;
                };
                let line = String::from_utf8_lossy(&self.pending[at..at + eol]).into_owned();
                at += eol + 2;
                let size = line.split(';').next().unwrap_or("").trim();
                let size = usize::from_str_radix(size, 16)
                    .map_err(|_| bad(&format!("chunk size {line:?}")))?;
                if size == 0 {
                    self.pending.clear();
                    self.finished = true;
                    return Ok(true);
                }
                self.left = size;
                self.in_chunk = true;
            }
        }
        self.pending.drain(..at);
        Ok(false)
    }
}

/// A raw stream connection that counts every body byte (chunk framing included).
pub struct RawStream {
    stream: TcpStream,
}

impl RawStream {
    pub async fn open(base: &str, path: &str, cookie: Option<&str>) -> anyhow::Result<RawStream> {
        let mut stream = TcpStream::connect(authority(base)).await?;
        let cookie = cookie
            .map(|c| format!("Cookie: {c}\r\n"))
            .unwrap_or_default();
        let head = format!(
            "GET {path} HTTP/1.1\r\nHost: {}\r\nAccept: text/event-stream\r\n{cookie}\r\n",
            authority(base)
        );
        stream.write_all(head.as_bytes()).await?;
        let mut buf = Vec::new();
        let (status, _) = read_head(&mut stream, &mut buf).await?;
        anyhow::ensure!(status == 200, "the stream answered {status}");
        let mut raw = RawStream { stream };
        raw.drain().await?;
        Ok(raw)
    }

    /// Reads until the stream has been quiet for a moment; returns the bytes read.
    pub async fn drain(&mut self) -> anyhow::Result<usize> {
        let mut total = 0;
        let mut chunk = vec![0u8; 64 * 1024];
        while let Ok(read) =
            tokio::time::timeout(Duration::from_millis(300), self.stream.read(&mut chunk)).await
        {
            match read? {
                0 => break,
                n => total += n,
            }
        }
        Ok(total)
    }
}

impl RawStream {
    /// Reads until what was read holds `end`; returns everything read.
    pub async fn read_until(&mut self, end: &str, wait: Duration) -> anyhow::Result<Vec<u8>> {
        let mut seen = Vec::new();
        let mut chunk = vec![0u8; 64 * 1024];
        let deadline = tokio::time::Instant::now() + wait;
        while !String::from_utf8_lossy(&seen).contains(end) {
            let read = tokio::time::timeout_at(deadline, self.stream.read(&mut chunk)).await??;
            anyhow::ensure!(read > 0, "the stream ended");
            seen.extend_from_slice(&chunk[..read]);
        }
        Ok(seen)
    }
}

#[cfg(test)]
mod tests {
    use super::Dechunker;

    #[test]
    fn chunks_split_anywhere_come_out_whole() {
        let wire = b"5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n";
        for split in 0..wire.len() {
            let mut d = Dechunker::default();
            let mut out = Vec::new();
            let first = d.feed(&wire[..split], &mut out).unwrap();
            let done = d.feed(&wire[split..], &mut out).unwrap();
            assert!(done || first, "split at {split}");
            assert_eq!(out, b"hello world", "split at {split}");
        }
    }

    #[test]
    fn a_chunk_size_that_is_not_hex_is_an_error() {
        let mut out = Vec::new();
        assert!(
            Dechunker::default()
                .feed(b"zz\r\nhello\r\n", &mut out)
                .is_err()
        );
        assert!(Dechunker::default().feed(b"\r\n", &mut out).is_err());
    }
}
