//! The envelope on the answers hyper gives by itself (issue 24). A request head that hyper
//! cannot parse — a URI over its 64 KiB, more headers than it takes, a head over its buffer,
//! a malformed request line — is answered by hyper before any of our code runs, with a bare
//! `414`, `431` or `400` and an empty body. Our own limits (`app::head_size`) sit below
//! hyper's and answer with the envelope; this wrapper of the connection gives hyper's own
//! answers the same envelope.
//!
//! It recognises them by their exact form — the status line, then `connection: close` and
//! `content-length: 0`, which none of our responses start with — and writes the same status
//! with the envelope's body instead. The connection closes after them either way.

use std::{
    io,
    pin::Pin,
    task::{Context, Poll},
};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

/// hyper's automatic answers, and the envelope each gets.
const BARE: &[(&[u8], &str)] = &[
    (
        b"HTTP/1.1 431 Request Header Fields Too Large\r\nconnection: close\r\ncontent-length: 0\r\n",
        r#"{"error":"The request headers are too large","code":"headers_too_large"}"#,
    ),
    (
        b"HTTP/1.1 414 URI Too Long\r\nconnection: close\r\ncontent-length: 0\r\n",
        r#"{"error":"The request URI is too long","code":"uri_too_long"}"#,
    ),
    (
        b"HTTP/1.1 400 Bad Request\r\nconnection: close\r\ncontent-length: 0\r\n",
        r#"{"error":"The request is not valid HTTP","code":"bad_request"}"#,
    ),
];

/// The answer to write instead of `head`, if `head` is exactly one of hyper's bare answers:
/// its status line, `connection: close`, `content-length: 0`, a `date` line and the blank
/// line, nothing before and nothing after (so no text of a response body, however crafted,
/// can be taken for one).
fn replacement(head: &[u8]) -> Option<Vec<u8>> {
    let (bare, body) = BARE.iter().find(|(bare, _)| head.starts_with(bare))?;
    let rest = &head[bare.len()..];
    let date = rest.strip_prefix(b"date: ")?.strip_suffix(b"\r\n\r\n")?;
    if date.len() > 40 || date.iter().any(|b| *b == b'\r' || *b == b'\n') {
        return None;
    }
    // The status line, kept; the rest of hyper's headers (its date) after ours.
    let status_end = head.windows(2).position(|w| w == b"\r\n")? + 2;
    let mut out = head[..status_end].to_vec();
    out.extend_from_slice(
        format!(
            "connection: close\r\ncontent-type: application/json\r\ncontent-length: {}\r\n",
            body.len()
        )
        .as_bytes(),
    );
    out.extend_from_slice(&head[bare.len()..]);
    out.extend_from_slice(body.as_bytes());
    Some(out)
}

/// A connection whose bare parse-error answers get the envelope.
pub struct Enveloped<T> {
    inner: T,
    /// The replacement being written, and how much of hyper's own buffer it stands for.
    pending: Option<(Vec<u8>, usize, usize)>,
    /// The last write took only part of what it was given: the next one continues a message,
    /// and is never taken for a bare answer.
    mid_write: bool,
    /// The client spoke HTTP/2 (its preface was read): hyper's bare answers are HTTP/1 only.
    http2: bool,
    /// Whether the first bytes were looked at yet.
    sniffed: bool,
}

impl<T> Enveloped<T> {
    pub fn new(inner: T) -> Self {
        Self {
            inner,
            pending: None,
            mid_write: false,
            http2: false,
            sniffed: false,
        }
    }

    /// Whether `buf`, given to a write, may be one of hyper's bare answers.
    fn may_replace(&self, buf: &[u8]) -> Option<Vec<u8>> {
        if self.mid_write || self.http2 {
            return None;
        }
        replacement(buf)
    }
}

impl<T: AsyncRead + Unpin> AsyncRead for Enveloped<T> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = &mut *self;
        let before = buf.filled().len();
        let read = Pin::new(&mut this.inner).poll_read(cx, buf);
        if !this.sniffed && buf.filled().len() > before {
            this.sniffed = true;
            this.http2 = buf.filled()[before..].starts_with(b"PRI ");
        }
        read
    }
}

impl<T: AsyncWrite + Unpin> AsyncWrite for Enveloped<T> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = &mut *self;
        if this.pending.is_none()
            && let Some(out) = this.may_replace(buf)
        {
            this.pending = Some((out, 0, buf.len()));
        }
        let Some((out, written, stands_for)) = &mut this.pending else {
            let wrote = Pin::new(&mut this.inner).poll_write(cx, buf);
            if let Poll::Ready(Ok(n)) = wrote {
                this.mid_write = n < buf.len();
            }
            return wrote;
        };
        // hyper calls again with the same bytes until we say they are written.
        while *written < out.len() {
            match Pin::new(&mut this.inner).poll_write(cx, &out[*written..]) {
                Poll::Ready(Ok(0)) => return Poll::Ready(Err(io::ErrorKind::WriteZero.into())),
                Poll::Ready(Ok(n)) => *written += n,
                Poll::Ready(Err(e)) => return Poll::Ready(Err(e)),
                Poll::Pending => return Poll::Pending,
            }
        }
        let n = *stands_for;
        this.pending = None;
        Poll::Ready(Ok(n))
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        // A bare answer is a head alone: one slice, nothing else.
        let mut slices = bufs.iter().filter(|b| !b.is_empty());
        if let (Some(only), None) = (slices.next(), slices.next())
            && (self.pending.is_some() || self.may_replace(only).is_some())
        {
            return self.poll_write(cx, only);
        }
        let total: usize = bufs.iter().map(|b| b.len()).sum();
        let this = &mut *self;
        let wrote = Pin::new(&mut this.inner).poll_write_vectored(cx, bufs);
        if let Poll::Ready(Ok(n)) = wrote {
            this.mid_write = n < total;
        }
        wrote
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bare_answer_gets_the_envelope_and_keeps_its_status_and_date() {
        let head = b"HTTP/1.1 431 Request Header Fields Too Large\r\nconnection: close\r\ncontent-length: 0\r\ndate: Sun, 06 Dec 2026 22:20:44 GMT\r\n\r\n";
        let out = String::from_utf8(replacement(head).unwrap()).unwrap();
        let body = r#"{"error":"The request headers are too large","code":"headers_too_large"}"#;
        assert_eq!(
            out,
            format!(
                "HTTP/1.1 431 Request Header Fields Too Large\r\nconnection: close\r\ncontent-type: application/json\r\ncontent-length: {}\r\ndate: Sun, 06 Dec 2026 22:20:44 GMT\r\n\r\n{body}",
                body.len()
            )
        );
    }

    #[test]
    fn only_a_whole_bare_head_is_replaced() {
        let bare = b"HTTP/1.1 400 Bad Request\r\nconnection: close\r\ncontent-length: 0\r\n";
        let mut followed = bare.to_vec();
        followed.extend_from_slice(b"date: x\r\n\r\n<p>more of a page</p>");
        assert!(replacement(&followed).is_none(), "text after the head");
        assert!(
            replacement(bare).is_none(),
            "no date line, no end of the head"
        );
    }

    #[test]
    fn our_own_answers_pass_untouched() {
        let ours = b"HTTP/1.1 431 Request Header Fields Too Large\r\ncontent-type: application/json\r\ncontent-length: 70\r\n\r\n";
        assert!(replacement(ours).is_none());
        assert!(replacement(b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n").is_none());
    }
}
