//! Values of other crates' types (issue 14, item 6): a type with `Display`
//! and no `Slot` prints through its `Display` text, escaped for the slot's
//! context, in the render and in updates; a `Slot` still wins.

use livetemplate::{live_template, Page, Reconstructor, Slot, Template};
use std::fmt;
use std::net::{IpAddr, Ipv4Addr};

/// Another crate's type: `Display` only.
#[derive(Clone, PartialEq)]
struct Stamp(u32);

impl fmt::Display for Stamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "<t{}> & \"q\"", self.0)
    }
}

/// Both `Display` and `Slot`: the `Slot` is what prints.
#[derive(Clone, PartialEq)]
struct Both;

impl fmt::Display for Both {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("display")
    }
}

impl Slot for Both {
    fn write_plain(&self, out: &mut String) {
        out.push_str("slot")
    }
}

#[live_template(
    source = r#"<p title="{{.stamp}}">{{.stamp}} {{.ip}} {{.both}}</p><script>let s = {{.stamp}};</script><ul>{{range .stamps}}<li>{{.}}</li>{{end}}</ul>"#
)]
#[derive(Clone, PartialEq)]
struct View {
    stamp: Stamp,
    ip: IpAddr,
    both: Both,
    stamps: Vec<Stamp>,
}

fn view(n: u32) -> View {
    View {
        stamp: Stamp(n),
        ip: IpAddr::V4(Ipv4Addr::new(10, 0, 0, n as u8)),
        both: Both,
        stamps: vec![Stamp(1), Stamp(n)],
    }
}

#[test]
fn display_types_print_escaped_for_their_context() {
    let html = view(7).render().unwrap();
    assert_eq!(
        html,
        concat!(
            r#"<p title="&lt;t7&gt; &amp; &#34;q&#34;">&lt;t7&gt; &amp; &#34;q&#34; 10.0.0.7 slot</p>"#,
            r#"<script>let s = "\u003ct7\u003e \u0026 \"q\"";</script>"#,
            r#"<ul><li>&lt;t1&gt; &amp; &#34;q&#34;</li><li>&lt;t7&gt; &amp; &#34;q&#34;</li></ul>"#
        )
    );
}

#[test]
fn display_types_update_and_reconstruct() {
    let mut page = Page::new(view(1)).unwrap();
    let mut client = Reconstructor::new(page.render());
    for n in [2, 3, 3, 9] {
        let fragments = page.update(view(n)).unwrap();
        client.apply(&fragments).unwrap();
        assert_eq!(client.html(), Page::new(view(n)).unwrap().render());
    }
}
