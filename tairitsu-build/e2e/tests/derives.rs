//! `Builder::additional_derive`: the kitchen generated with `Eq`, `Hash` and `PartialOrd`.
//! That the crate compiles shows the derives were left off where they cannot hold (floats,
//! flags, handles); these tests show they are on where they can.

use std::collections::HashSet;
use std::hash::Hash;

use tairitsu_build_e2e::kitchen_derives::test::kitchen::types::{
    Big, Color, ItemInfo, Permissions, Person, Point, Scalar, Shape,
};

fn eq_hash<T: Eq + Hash>() {}
fn partial_ord<T: PartialOrd>() {}

#[test]
fn types_without_floats_or_handles_get_eq_hash_and_partial_ord() {
    eq_hash::<Point>();
    eq_hash::<ItemInfo>();
    eq_hash::<Person>();
    partial_ord::<Point>();
    partial_ord::<Person>();
    // An enum had `Eq` and `Hash` already; it gets `PartialOrd` in declaration order.
    partial_ord::<Color>();
    assert!(Color::Red < Color::DarkMagenta);

    let mut seen = HashSet::new();
    assert!(seen.insert(Point { x: 1, y: 2 }));
    assert!(!seen.insert(Point { x: 1, y: 2 }));
    assert!(Point { x: 1, y: 2 } < Point { x: 1, y: 3 });
}

#[test]
fn types_with_floats_get_partial_ord_only_and_flags_get_hash() {
    partial_ord::<Shape>();
    partial_ord::<Scalar>();
    partial_ord::<Big>();
    assert!(Shape::Circle(1.0) < Shape::Circle(2.0));

    // Flags: `Eq` from wasmtime, `Hash` from the generator.
    eq_hash::<Permissions>();
    let mut perms = HashSet::new();
    perms.insert(Permissions::READ | Permissions::WRITE);
    assert!(perms.contains(&(Permissions::WRITE | Permissions::READ)));
    assert!(!perms.contains(&Permissions::READ));
}
