//! Private machinery behind the `into_owned()` methods: turning borrowed models into `'static` ones.

use std::borrow::Cow;

/// A value that can drop its borrow of the request body.
pub(crate) trait IntoStatic {
    /// The same type with every borrow replaced by an owned copy.
    type Static: 'static;

    /// Copies whatever is still borrowed.
    fn into_static(self) -> Self::Static;
}

impl IntoStatic for Cow<'_, str> {
    type Static = Cow<'static, str>;

    fn into_static(self) -> Self::Static {
        Cow::Owned(self.into_owned())
    }
}

impl<T: IntoStatic> IntoStatic for Option<T> {
    type Static = Option<T::Static>;

    fn into_static(self) -> Self::Static {
        self.map(IntoStatic::into_static)
    }
}

impl<T: IntoStatic> IntoStatic for Vec<T> {
    type Static = Vec<T::Static>;

    fn into_static(self) -> Self::Static {
        self.into_iter().map(IntoStatic::into_static).collect()
    }
}

impl<T: IntoStatic> IntoStatic for Box<T> {
    type Static = Box<T::Static>;

    fn into_static(self) -> Self::Static {
        Box::new((*self).into_static())
    }
}

macro_rules! impl_copy_static {
    ($($t:ty),* $(,)?) => {
        $(impl IntoStatic for $t {
            type Static = $t;

            fn into_static(self) -> Self::Static {
                self
            }
        })*
    };
}

impl_copy_static!(bool, i64, u64, usize);

/// Implements `IntoStatic` and a public `into_owned()` for a struct with one lifetime, field by field.
macro_rules! impl_into_owned {
    ($name:ident { $($field:ident),* $(,)? }) => {
        impl $crate::owned::IntoStatic for $name<'_> {
            type Static = $name<'static>;

            fn into_static(self) -> Self::Static {
                $name {
                    $($field: $crate::owned::IntoStatic::into_static(self.$field),)*
                }
            }
        }

        impl $name<'_> {
            /// Copies every borrowed string so the value no longer borrows the request body.
            pub fn into_owned(self) -> $name<'static> {
                $crate::owned::IntoStatic::into_static(self)
            }
        }
    };
}

pub(crate) use impl_into_owned;
