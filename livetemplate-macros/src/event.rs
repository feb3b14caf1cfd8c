//! `#[derive(LiveEvent)]`: the actions of an event enum, named as serde
//! names its variants when it decodes them.
//!
//! Only serde's attributes are read (serde is not needed): `rename_all` on
//! the enum; `rename`, `alias`, `skip`, `skip_deserializing` and `untagged`
//! on variants. Where serde takes separate serialize and deserialize names
//! (`rename(deserialize = "…")`), the deserialize one counts: the client's
//! messages are decoded. Other serde attributes are left to serde.

use proc_macro2::TokenStream;
use quote::quote;
use syn::ext::IdentExt;
use syn::meta::ParseNestedMeta;
use syn::{Attribute, Data, DeriveInput, LitStr, Token};

/// serde's `rename_all` rules, applied to a variant name as serde does
/// (`serde_derive`'s `RenameRule::apply_to_variant`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RenameRule {
    Lower,
    Upper,
    Pascal,
    Camel,
    Snake,
    ScreamingSnake,
    Kebab,
    ScreamingKebab,
}

/// The rules by the names serde gives them.
const RULES: &[(&str, RenameRule)] = &[
    ("lowercase", RenameRule::Lower),
    ("UPPERCASE", RenameRule::Upper),
    ("PascalCase", RenameRule::Pascal),
    ("camelCase", RenameRule::Camel),
    ("snake_case", RenameRule::Snake),
    ("SCREAMING_SNAKE_CASE", RenameRule::ScreamingSnake),
    ("kebab-case", RenameRule::Kebab),
    ("SCREAMING-KEBAB-CASE", RenameRule::ScreamingKebab),
];

impl RenameRule {
    pub fn from_name(name: &str) -> Option<RenameRule> {
        RULES.iter().find(|(n, _)| *n == name).map(|(_, r)| *r)
    }

    /// The name serde gives variant `variant` under this rule.
    pub fn apply(self, variant: &str) -> String {
        match self {
            RenameRule::Pascal => variant.to_string(),
            RenameRule::Lower => variant.to_ascii_lowercase(),
            RenameRule::Upper => variant.to_ascii_uppercase(),
            RenameRule::Camel => {
                let mut chars = variant.chars();
                match chars.next() {
                    Some(first) => first.to_ascii_lowercase().to_string() + chars.as_str(),
                    None => String::new(),
                }
            }
            RenameRule::Snake => {
                let mut snake = String::new();
                for (i, ch) in variant.char_indices() {
                    if i > 0 && ch.is_uppercase() {
                        snake.push('_');
                    }
                    snake.push(ch.to_ascii_lowercase());
                }
                snake
            }
            RenameRule::ScreamingSnake => RenameRule::Snake.apply(variant).to_ascii_uppercase(),
            RenameRule::Kebab => RenameRule::Snake.apply(variant).replace('_', "-"),
            RenameRule::ScreamingKebab => {
                RenameRule::ScreamingSnake.apply(variant).replace('_', "-")
            }
        }
    }
}

/// `impl LiveEvent` for the enum `input`.
pub fn derive(input: &DeriveInput) -> syn::Result<TokenStream> {
    let names = actions(input)?;
    let name = &input.ident;
    let (impl_generics, ty_generics, where_clause) = input.generics.split_for_impl();
    Ok(quote! {
        impl #impl_generics ::livetemplate::__rt::LiveEvent for #name #ty_generics #where_clause {
            const ACTIONS: &'static [&'static str] = &[#(#names),*];
        }
    })
}

/// The action names of the enum `input`: for each variant not skipped, its
/// name as serde decodes it, then its aliases.
pub fn actions(input: &DeriveInput) -> syn::Result<Vec<String>> {
    let data = match &input.data {
        Data::Enum(e) => e,
        Data::Struct(s) => {
            let kw = s.struct_token;
            let ident = &input.ident;
            return Err(not_an_enum(quote!(#kw #ident)));
        }
        Data::Union(u) => {
            let kw = u.union_token;
            let ident = &input.ident;
            return Err(not_an_enum(quote!(#kw #ident)));
        }
    };
    let rule = rename_all(&input.attrs)?;
    let mut names = Vec::new();
    for variant in &data.variants {
        let attrs = VariantAttrs::read(&variant.attrs)?;
        if attrs.skipped {
            continue;
        }
        let written = variant.ident.unraw().to_string();
        names.push(match (attrs.rename, rule) {
            (Some(name), _) => name,
            (None, Some(rule)) => rule.apply(&written),
            (None, None) => written,
        });
        names.extend(attrs.aliases);
    }
    Ok(names)
}

fn not_an_enum(tokens: TokenStream) -> syn::Error {
    syn::Error::new_spanned(tokens, "LiveEvent needs an enum: one variant per action")
}

fn is_serde(attr: &Attribute) -> bool {
    attr.path().is_ident("serde")
}

/// The enum's `#[serde(rename_all = "…")]` (or its `deserialize` rule).
fn rename_all(attrs: &[Attribute]) -> syn::Result<Option<RenameRule>> {
    let mut rule = None;
    for attr in attrs.iter().filter(|a| is_serde(a)) {
        attr.parse_nested_meta(|meta| {
            if meta.path.is_ident("rename_all") {
                if let Some(lit) = deserialize_name(&meta)? {
                    rule = Some(RenameRule::from_name(&lit.value()).ok_or_else(|| {
                        let known: Vec<&str> = RULES.iter().map(|(n, _)| *n).collect();
                        syn::Error::new(
                            lit.span(),
                            format!(
                                "unknown rename rule `{}` (serde's are {})",
                                lit.value(),
                                known.join(", ")
                            ),
                        )
                    })?);
                }
                Ok(())
            } else {
                skip_value(&meta)
            }
        })?;
    }
    Ok(rule)
}

/// What a variant's serde attributes say about its names.
#[derive(Default)]
struct VariantAttrs {
    rename: Option<String>,
    aliases: Vec<String>,
    /// `skip`, `skip_deserializing` or `untagged`: the variant has no name.
    skipped: bool,
}

impl VariantAttrs {
    fn read(attrs: &[Attribute]) -> syn::Result<VariantAttrs> {
        let mut out = VariantAttrs::default();
        for attr in attrs.iter().filter(|a| is_serde(a)) {
            attr.parse_nested_meta(|meta| {
                if meta.path.is_ident("rename") {
                    if let Some(lit) = deserialize_name(&meta)? {
                        out.rename = Some(lit.value());
                    }
                } else if meta.path.is_ident("alias") {
                    out.aliases.push(meta.value()?.parse::<LitStr>()?.value());
                } else if meta.path.is_ident("skip")
                    || meta.path.is_ident("skip_deserializing")
                    || meta.path.is_ident("untagged")
                {
                    out.skipped = true;
                } else {
                    skip_value(&meta)?;
                }
                Ok(())
            })?;
        }
        Ok(out)
    }
}

/// `key = "name"` or `key(deserialize = "name", serialize = "…")`: the
/// deserialize name, if given.
fn deserialize_name(meta: &ParseNestedMeta) -> syn::Result<Option<LitStr>> {
    if meta.input.peek(Token![=]) {
        return Ok(Some(meta.value()?.parse()?));
    }
    let mut name = None;
    meta.parse_nested_meta(|inner| {
        if inner.path.is_ident("deserialize") {
            name = Some(inner.value()?.parse()?);
            Ok(())
        } else {
            skip_value(&inner)
        }
    })?;
    Ok(name)
}

/// Consumes the value of a serde attribute this derive does not read
/// (`= value`, `(…)`, or nothing).
fn skip_value(meta: &ParseNestedMeta) -> syn::Result<()> {
    if meta.input.peek(Token![=]) {
        meta.value()?.parse::<syn::Expr>()?;
    } else if !meta.input.is_empty() && !meta.input.peek(Token![,]) {
        meta.input.parse::<proc_macro2::TokenTree>()?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(input: DeriveInput) -> Vec<String> {
        actions(&input).expect("an event enum")
    }

    #[test]
    fn rename_rules_follow_serde() {
        let cases: &[(&str, &str, &str)] = &[
            ("lowercase", "ClearCompleted", "clearcompleted"),
            ("UPPERCASE", "ClearCompleted", "CLEARCOMPLETED"),
            ("PascalCase", "ClearCompleted", "ClearCompleted"),
            ("camelCase", "ClearCompleted", "clearCompleted"),
            ("snake_case", "ClearCompleted", "clear_completed"),
            ("SCREAMING_SNAKE_CASE", "ClearCompleted", "CLEAR_COMPLETED"),
            ("kebab-case", "ClearCompleted", "clear-completed"),
            ("SCREAMING-KEBAB-CASE", "ClearCompleted", "CLEAR-COMPLETED"),
            ("snake_case", "Add", "add"),
            ("snake_case", "HTTPGet", "h_t_t_p_get"),
            ("snake_case", "Page2Next", "page2_next"),
            ("camelCase", "A", "a"),
            ("kebab-case", "Éclair", "Éclair"), // ASCII case only, as serde
        ];
        for (rule, variant, want) in cases {
            let r = RenameRule::from_name(rule).expect(rule);
            assert_eq!(r.apply(variant), *want, "{rule} {variant}");
        }
        assert_eq!(RenameRule::from_name("snake-case"), None);
    }

    #[test]
    fn variants_are_named_as_serde_decodes_them() {
        let input: DeriveInput = syn::parse_quote! {
            #[derive(Deserialize)]
            #[serde(rename_all = "snake_case", deny_unknown_fields)]
            enum TodoEvent {
                Add { text: String },
                Toggle { id: u64 },
                #[serde(rename = "rm")]
                Remove { id: u64 },
                ClearCompleted,
                #[serde(alias = "pick", alias = "choose")]
                Filter { filter: String },
                #[serde(rename(serialize = "s", deserialize = "go"), alias = "run")]
                Start,
                #[serde(skip)]
                Internal,
                #[serde(skip_deserializing)]
                Outgoing(u8),
                #[serde(skip_serializing)]
                Incoming,
                #[serde(untagged)]
                Other(String),
                r#Type,
            }
        };
        assert_eq!(
            names(input),
            [
                "add",
                "toggle",
                "rm",
                "clear_completed",
                "filter",
                "pick",
                "choose",
                "go",
                "run",
                "incoming",
                "type",
            ]
        );
    }

    #[test]
    fn without_rename_all_names_are_kept() {
        let input: DeriveInput = syn::parse_quote! {
            enum E { Add, ClearCompleted, #[serde(rename = "x")] Y }
        };
        assert_eq!(names(input), ["Add", "ClearCompleted", "x"]);
        // A serialize-only rule renames nothing that is decoded.
        let input: DeriveInput = syn::parse_quote! {
            #[serde(rename_all(serialize = "snake_case"))]
            enum E { ClearCompleted }
        };
        assert_eq!(names(input), ["ClearCompleted"]);
        let input: DeriveInput = syn::parse_quote! {
            #[serde(rename_all(serialize = "lowercase", deserialize = "kebab-case"))]
            enum E { ClearCompleted }
        };
        assert_eq!(names(input), ["clear-completed"]);
    }

    #[test]
    fn other_serde_attributes_are_left_alone() {
        let input: DeriveInput = syn::parse_quote! {
            #[serde(crate = "serde", bound(deserialize = "T: X"), tag = "action", content = "values")]
            #[serde(rename = "Events")]
            #[doc = "docs"]
            enum E<T> {
                #[serde(borrow, with = "m", deserialize_with = "f", bound = "T: Y")]
                #[serde(rename_all = "camelCase")]
                A(T),
                #[serde(other)]
                B,
            }
        };
        assert_eq!(names(input), ["A", "B"]);
    }

    #[test]
    fn errors() {
        let input: DeriveInput = syn::parse_quote!(
            struct S {
                a: u8,
            }
        );
        let e = actions(&input).unwrap_err();
        assert_eq!(
            e.to_string(),
            "LiveEvent needs an enum: one variant per action"
        );
        let input: DeriveInput = syn::parse_quote!(
            union U {
                a: u8,
            }
        );
        assert!(actions(&input).is_err());
        let input: DeriveInput = syn::parse_quote! {
            #[serde(rename_all = "snake-case")]
            enum E { A }
        };
        let e = actions(&input).unwrap_err().to_string();
        assert!(e.starts_with("unknown rename rule `snake-case`"), "{e}");
        let input: DeriveInput = syn::parse_quote! {
            enum E { #[serde(rename = 3)] A }
        };
        assert!(actions(&input).is_err());
    }

    #[test]
    fn derive_emits_the_actions() {
        let input: DeriveInput = syn::parse_quote! {
            #[serde(rename_all = "snake_case")]
            enum E<T: Clone> where T: Copy { DoIt(T), Stop }
        };
        let code = derive(&input).unwrap().to_string();
        assert!(code.contains("impl < T : Clone > :: livetemplate :: __rt :: LiveEvent for E < T > where T : Copy"), "{code}");
        assert!(
            code.contains("const ACTIONS : & 'static [& 'static str] = & [\"do_it\" , \"stop\"]"),
            "{code}"
        );
    }
}
