package notify

import (
	"html"
	"strings"
)

// textLabelWidth aligns the values of the plain-text fields ("When:   ...").
const textLabelWidth = len("Online: ")

// plainText renders c as the text/plain body, for clients and people that
// read mail as text. Lines end in LF; the transfer encoding writes CRLF.
func plainText(c *content) string {
	w := c.words()
	var b strings.Builder
	b.WriteString(c.opening)
	b.WriteString("\n\n")
	for _, f := range c.fields {
		for i, line := range f.lines {
			pad := textLabelWidth
			if i == 0 {
				b.WriteString(f.label)
				b.WriteByte(':')
				pad -= len(f.label) + 1
			}
			b.WriteString(strings.Repeat(" ", max(pad, 1)))
			b.WriteString(line)
			b.WriteByte('\n')
		}
	}
	if c.description != "" {
		b.WriteByte('\n')
		b.WriteString(c.description)
		b.WriteByte('\n')
	}
	if len(c.replies) > 0 {
		b.WriteByte('\n')
		b.WriteString(w.answer)
		b.WriteString(":\n")
		for _, r := range c.replies {
			b.WriteString("  ")
			b.WriteString(r.label)
			b.WriteString(": ")
			b.WriteString(r.href)
			b.WriteByte('\n')
		}
	}
	if c.link != "" {
		b.WriteString("\n" + w.openLink + ": ")
		b.WriteString(c.link)
		b.WriteByte('\n')
	}
	// "-- " is the signature separator clients recognise and grey out.
	b.WriteString("\n-- \n")
	b.WriteString(c.footer)
	b.WriteByte('\n')
	return b.String()
}

// htmlText renders c as the text/html body: the same content as plainText,
// every value escaped, links only for http(s) URLs, inline styles only
// (mail clients drop <style> and external sheets).
func htmlText(c *content, title string) string {
	w := c.words()
	var b strings.Builder
	esc := html.EscapeString
	b.WriteString("<!DOCTYPE html>\n<html lang=\"" + w.lang + "\">\n<head>\n<meta charset=\"utf-8\">\n")
	b.WriteString("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>")
	b.WriteString(esc(title))
	b.WriteString("</title>\n</head>\n")
	b.WriteString("<body style=\"margin:0;padding:16px;font-family:Arial,Helvetica,sans-serif;font-size:14px;line-height:1.45;color:#1a1a1a;\">\n")
	b.WriteString("<p style=\"margin:0 0 16px 0;font-size:16px;\">")
	b.WriteString(esc(c.opening))
	b.WriteString("</p>\n<table role=\"presentation\" style=\"border-collapse:collapse;\">\n")
	for _, f := range c.fields {
		b.WriteString("<tr><th scope=\"row\" style=\"text-align:left;vertical-align:top;padding:3px 16px 3px 0;color:#555;font-weight:normal;\">")
		b.WriteString(esc(f.label))
		b.WriteString("</th><td style=\"padding:3px 0;\">")
		for i, line := range f.lines {
			if i > 0 {
				b.WriteString("<br>")
			}
			if i == 0 && f.href != "" {
				writeLink(&b, f.href, line)
			} else if i == 0 && f.strong {
				b.WriteString("<strong>")
				b.WriteString(esc(line))
				b.WriteString("</strong>")
			} else {
				b.WriteString(esc(line))
			}
		}
		b.WriteString("</td></tr>\n")
	}
	b.WriteString("</table>\n")
	if c.description != "" {
		b.WriteString("<p style=\"margin:16px 0 0 0;\">")
		for i, line := range strings.Split(c.description, "\n") {
			if i > 0 {
				b.WriteString("<br>\n")
			}
			b.WriteString(esc(line))
		}
		b.WriteString("</p>\n")
	}
	if len(c.replies) > 0 {
		b.WriteString("<p style=\"margin:16px 0 0 0;\">")
		b.WriteString(esc(w.answer))
		b.WriteString(":")
		for _, r := range c.replies {
			b.WriteString(" <a href=\"")
			b.WriteString(esc(r.href))
			b.WriteString("\" style=\"display:inline-block;margin:0 4px;padding:6px 12px;border:1px solid #0b5cad;border-radius:4px;color:#0b5cad;text-decoration:none;\">")
			b.WriteString(esc(r.label))
			b.WriteString("</a>")
		}
		b.WriteString("</p>\n")
	}
	if c.link != "" {
		b.WriteString("<p style=\"margin:16px 0 0 0;\">")
		writeLink(&b, c.link, w.openLink)
		b.WriteString("</p>\n")
	}
	b.WriteString("<p style=\"margin:24px 0 0 0;padding-top:8px;border-top:1px solid #ddd;font-size:12px;color:#666;\">")
	b.WriteString(esc(c.footer))
	b.WriteString("</p>\n</body>\n</html>\n")
	return b.String()
}

// writeLink writes an anchor; href has been checked by webURL.
func writeLink(b *strings.Builder, href, text string) {
	b.WriteString("<a href=\"")
	b.WriteString(html.EscapeString(href))
	b.WriteString("\" style=\"color:#0b5cad;\">")
	b.WriteString(html.EscapeString(text))
	b.WriteString("</a>")
}

// words are the phrases of the content's language (English when unset).
func (c *content) words() *words {
	if c.w == nil {
		return english
	}
	return c.w
}
