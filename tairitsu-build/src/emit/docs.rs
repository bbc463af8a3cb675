//! WIT documentation as rustdoc that is safe to build.

use proc_macro2::TokenStream;
use quote::quote;

use super::Gen;

impl Gen<'_> {
    /// `#[doc = "…"]` lines for WIT docs, sanitized by [`sanitize`].
    pub(crate) fn docs(&self, docs: Option<&str>) -> TokenStream {
        doc_attrs(docs)
    }
}

impl Gen<'_> {
    /// [`Gen::docs`] followed by an empty line, to start a paragraph after them; nothing when
    /// there are no docs, so that no doc comment starts with an empty line.
    pub(crate) fn docs_para(&self, docs: Option<&str>) -> TokenStream {
        match docs {
            Some(d) if !d.trim().is_empty() => {
                let lines = doc_attrs(Some(d));
                quote!(#lines #[doc = ""])
            }
            _ => TokenStream::new(),
        }
    }
}

/// `#[doc = "…"]` lines for `docs`.
pub(crate) fn doc_attrs(docs: Option<&str>) -> TokenStream {
    let Some(docs) = docs else {
        return TokenStream::new();
    };
    let lines = sanitize(docs);
    let lines = lines.iter().map(|l| {
        let l = format!(" {l}");
        quote!(#[doc = #l])
    });
    quote!(#(#lines)*)
}

/// Makes WIT docs safe as rustdoc:
///
/// - fenced code blocks without a language, or with one that is not Rust, become `text` blocks,
///   so rustdoc does not compile them as doctests;
/// - outside code, `[` and `]` are escaped so that WIT's bracketed words (`[method]`, `[0, 1)`)
///   are not taken as broken intra-doc links;
/// - trailing whitespace is dropped, and tabs become four spaces (rustdoc renders a tab by
///   the reader's tab width, and clippy's `tabs_in_doc_comments` refuses them).
pub(crate) fn sanitize(docs: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut in_code = false;
    for line in docs.lines() {
        let untabbed;
        let line = if line.contains('\t') {
            untabbed = line.replace('\t', "    ");
            untabbed.as_str()
        } else {
            line
        };
        let trimmed = line.trim_start();
        if let Some(lang) = trimmed.strip_prefix("```") {
            let indent = &line[..line.len() - trimmed.len()];
            if in_code {
                out.push(format!("{indent}```"));
            } else if lang.trim().is_empty() || !lang.trim().starts_with("rust") {
                out.push(format!("{indent}```text"));
            } else {
                out.push(format!("{indent}```{}", lang.trim()));
            }
            in_code = !in_code;
            continue;
        }
        if in_code {
            out.push(line.trim_end().to_string());
        } else {
            out.push(wrap_urls(&escape_brackets(line.trim_end())));
        }
    }
    if in_code {
        out.push("```".to_string());
    }
    out
}

/// Puts bare URLs outside code spans in `<…>`, which rustdoc links (it refuses bare ones).
fn wrap_urls(line: &str) -> String {
    if !line.contains("://") {
        return line.to_string();
    }
    let mut out = String::with_capacity(line.len() + 8);
    let mut in_tick = false;
    let mut rest = line;
    while let Some(c) = rest.chars().next() {
        let at_url = !in_tick
            && (rest.starts_with("https://") || rest.starts_with("http://"))
            && !matches!(out.chars().last(), Some('<' | '(' | '"'));
        if at_url {
            let end = rest.find(char::is_whitespace).unwrap_or(rest.len());
            let url = rest[..end].trim_end_matches(['.', ',', ';', ':', ')']);
            out.push('<');
            out.push_str(url);
            out.push('>');
            rest = &rest[url.len()..];
            continue;
        }
        if c == '`' {
            in_tick = !in_tick;
        }
        out.push(c);
        rest = &rest[c.len_utf8()..];
    }
    out
}

fn escape_brackets(line: &str) -> String {
    let mut out = String::with_capacity(line.len());
    let mut in_tick = false;
    for c in line.chars() {
        match c {
            '`' => {
                in_tick = !in_tick;
                out.push(c);
            }
            '[' | ']' if !in_tick => {
                out.push('\\');
                out.push(c);
            }
            _ => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::sanitize;

    #[test]
    fn code_blocks_become_text() {
        let docs =
            "Example:\n```\nfoo(1)\n```\n  ```rust\n  let x = [1];\n  ```\n```wit\na: u8\n```";
        assert_eq!(
            sanitize(docs),
            [
                "Example:",
                "```text",
                "foo(1)",
                "```",
                "  ```rust",
                "  let x = [1];",
                "  ```",
                "```text",
                "a: u8",
                "```"
            ]
        );
    }

    #[test]
    fn brackets_are_escaped_outside_code() {
        assert_eq!(
            sanitize("range [0, 1) and `[x]`"),
            ["range \\[0, 1) and `[x]`"]
        );
    }

    #[test]
    fn bare_urls_are_linked_and_tabs_are_spaces() {
        assert_eq!(
            sanitize("see https://example.com/a#b. or `http://x` or <https://y>\n\tindented"),
            [
                "see <https://example.com/a#b>. or `http://x` or <https://y>",
                "    indented"
            ]
        );
    }
}
