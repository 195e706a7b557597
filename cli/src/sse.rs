//! Server-Sent Events as they arrive in chunks: complete messages out, comments
//! (keep-alives) dropped, the rest kept for the next chunk.

/// One message of the stream.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Message {
    pub(crate) event: String,
    pub(crate) id: Option<String>,
    pub(crate) data: String,
}

#[derive(Default)]
pub(crate) struct Parser {
    buffer: String,
}

impl Parser {
    /// Takes a chunk and returns every message it completed.
    pub(crate) fn feed(&mut self, chunk: &str) -> Vec<Message> {
        self.buffer.push_str(&chunk.replace("\r\n", "\n"));
        let mut out = Vec::new();
        while let Some(end) = self.buffer.find("\n\n") {
            let block: String = self.buffer.drain(..end + 2).collect();
            if let Some(message) = parse(&block) {
                out.push(message);
            }
        }
        out
    }
}

fn parse(block: &str) -> Option<Message> {
    let mut event = None;
    let mut id = None;
    let mut data: Vec<&str> = Vec::new();
    for line in block.lines() {
        let (field, value) = line.split_once(':').unwrap_or((line, ""));
        let value = value.strip_prefix(' ').unwrap_or(value);
        match field {
            "event" => event = Some(value.to_owned()),
            "id" => id = Some(value.to_owned()),
            "data" => data.push(value),
            _ => {} // a comment (`: keep-alive`) or a field this client ignores
        }
    }
    if data.is_empty() {
        return None;
    }
    Some(Message {
        event: event.unwrap_or_else(|| "message".to_owned()),
        id,
        data: data.join("\n"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_split_across_chunks_come_out_whole() {
        let mut parser = Parser::default();
        assert!(
            parser
                .feed(":\n\nevent: order.paid\nid: evt_1\nda")
                .is_empty()
        );
        let out = parser.feed("ta: {\"a\":1}\n\nevent: x\r\ndata: 2\r\n\r\n");
        assert_eq!(
            out,
            [
                Message {
                    event: "order.paid".into(),
                    id: Some("evt_1".into()),
                    data: "{\"a\":1}".into()
                },
                Message {
                    event: "x".into(),
                    id: None,
                    data: "2".into()
                }
            ]
        );
    }

    #[test]
    fn data_lines_join_and_comments_are_dropped() {
        let mut parser = Parser::default();
        let out = parser.feed(": keep-alive\n\ndata: a\ndata: b\n\n");
        assert_eq!(out.len(), 1);
        assert_eq!(out[0].event, "message");
        assert_eq!(out[0].data, "a\nb");
    }
}
