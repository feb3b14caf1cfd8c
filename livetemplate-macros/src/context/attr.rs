//! Attribute types (Go `attr.go`).

/// What an attribute value holds (Go `contentType`, as far as attributes go).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum ContentType {
    /// Text.
    Plain,
    /// Affects other content or the network (Go escapes it as text).
    Unsafe,
    /// A URL.
    Url,
    /// CSS declarations.
    Css,
    /// JavaScript.
    Js,
    /// A `srcset` list of URLs.
    Srcset,
    /// An HTML document.
    Html,
}

/// Go `attrType`: a conservative guess at the type of the lower-cased
/// attribute `name`.
pub(super) fn attr_type(name: &str) -> ContentType {
    let name = if let Some(rest) = name.strip_prefix("data-") {
        // `data-action` is a URL, like `action`.
        rest
    } else if let Some((prefix, short)) = name.split_once(':') {
        if prefix == "xmlns" {
            return ContentType::Url;
        }
        // `svg:href` and `xlink:href` are `href`.
        short
    } else {
        name
    };
    if let Some(t) = known_attr_type(name) {
        return t;
    }
    if name.starts_with("on") {
        // Event handlers, including partial names.
        return ContentType::Js;
    }
    // Custom attributes holding URLs tend to say so.
    if name.contains("src") || name.contains("uri") || name.contains("url") {
        return ContentType::Url;
    }
    ContentType::Plain
}

/// Go `attrTypeMap`: the types of the HTML5 attributes (and the HTML4 URI
/// attributes). Event handlers are left to [`attr_type`].
fn known_attr_type(name: &str) -> Option<ContentType> {
    Some(match name {
        "action" | "archive" | "background" | "cite" | "classid" | "codebase" | "data"
        | "formaction" | "href" | "icon" | "longdesc" | "manifest" | "poster" | "profile"
        | "src" | "usemap" | "xmlns" => ContentType::Url,
        "style" => ContentType::Css,
        "srcset" => ContentType::Srcset,
        "srcdoc" => ContentType::Html,
        "accept-charset" | "async" | "challenge" | "charset" | "content" | "crossorigin"
        | "defer" | "enctype" | "form" | "formenctype" | "formmethod" | "formnovalidate"
        | "http-equiv" | "keytype" | "language" | "method" | "novalidate" | "pattern" | "rel"
        | "sandbox" | "type" | "value" => ContentType::Unsafe,
        "accept" | "alt" | "autocomplete" | "autofocus" | "autoplay" | "border" | "checked"
        | "class" | "cols" | "colspan" | "contenteditable" | "contextmenu" | "controls"
        | "coords" | "datetime" | "default" | "dir" | "dirname" | "disabled" | "draggable"
        | "dropzone" | "for" | "formtarget" | "headers" | "height" | "hidden" | "high"
        | "hreflang" | "id" | "ismap" | "kind" | "label" | "lang" | "list" | "loop" | "low"
        | "max" | "maxlength" | "media" | "mediagroup" | "min" | "multiple" | "name" | "open"
        | "optimum" | "placeholder" | "preload" | "pubdate" | "radiogroup" | "readonly"
        | "required" | "reversed" | "rows" | "rowspan" | "spellcheck" | "scope" | "scoped"
        | "seamless" | "selected" | "shape" | "size" | "sizes" | "span" | "srclang" | "start"
        | "step" | "tabindex" | "target" | "title" | "width" | "wrap" => ContentType::Plain,
        _ => return None,
    })
}
