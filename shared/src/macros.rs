/// Declares a closed domain enumeration with its stable wire code and Russian title.
///
/// Every enumeration of the domain needs the same things: serde in snake_case, the list of all
/// values (for forms and tests), the code as stored in the database, parsing from that code, and
/// the title a person reads. One macro keeps them in one line per value.
macro_rules! domain_enum {
    (
        $(#[$meta:meta])*
        pub enum $name:ident {
            $( $(#[$vmeta:meta])* $variant:ident => ($code:tt, $title:literal) ),+ $(,)?
        }
    ) => {
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
        #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
        #[serde(rename_all = "snake_case")]
        // After the derives, so an enumeration may carry their helper attributes (a schema name).
        $(#[$meta])*
        pub enum $name {
            $( $(#[$vmeta])* #[serde(rename = $code)] $variant ),+
        }

        impl $name {
            /// Every value, in the domain's order.
            pub const ALL: &'static [$name] = &[ $( $name::$variant ),+ ];

            /// The stable code used on the wire and in the database.
            pub const fn as_str(self) -> &'static str {
                match self { $( $name::$variant => $code ),+ }
            }

            /// The Russian title shown to people and printed in documents.
            pub const fn title_ru(self) -> &'static str {
                match self { $( $name::$variant => $title ),+ }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl std::str::FromStr for $name {
            type Err = crate::UnknownCode;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                match s {
                    $( $code => Ok($name::$variant), )+
                    other => Err(crate::UnknownCode {
                        kind: stringify!($name),
                        code: other.to_owned(),
                    }),
                }
            }
        }
    };
}
