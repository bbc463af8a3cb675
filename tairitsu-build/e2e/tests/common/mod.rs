//! Shared setup: one engine, the kitchen component compiled once, and a host implementing the
//! generated handler traits.

#![allow(dead_code)]

use std::collections::HashMap;
use std::sync::OnceLock;

use tairitsu::wasmtime::component::{Component, Resource};
use tairitsu::wasmtime::{Config, Engine};
use tairitsu_build_e2e::kitchen::test::kitchen::blobs::{Blob, BlobsHandler};
use tairitsu_build_e2e::kitchen::test::kitchen::host::HostHandler;
use tairitsu_build_e2e::kitchen::test::kitchen::types::{
    Big, Color, Deep, ItemInfo, Permissions, Person, Point, Scalar, Shape,
};

pub fn engine() -> &'static Engine {
    static ENGINE: OnceLock<Engine> = OnceLock::new();
    ENGINE.get_or_init(|| {
        let mut config = Config::new();
        config.concurrency_support(false);
        Engine::new(&config).expect("engine")
    })
}

pub fn kitchen() -> &'static Component {
    static C: OnceLock<Component> = OnceLock::new();
    C.get_or_init(|| Component::new(engine(), tairitsu_fixtures::kitchen()).expect("kitchen"))
}

/// The host: echoes every value, logs every call, keeps blobs in a map keyed by `rep`.
#[derive(Default)]
pub struct Host {
    pub calls: Vec<&'static str>,
    pub blobs: HashMap<u32, Vec<u8>>,
    pub next_blob: u32,
    pub dropped: Vec<u32>,
    /// A function whose handler panics.
    pub panic_on: Option<&'static str>,
}

impl Host {
    fn log(&mut self, name: &'static str) {
        if self.panic_on == Some(name) {
            panic!("host told to panic in {name}");
        }
        self.calls.push(name);
    }
}

macro_rules! echo_methods {
    ($($m:ident: $t:ty),* $(,)?) => {
        $(fn $m(&mut self, v: $t) -> $t {
            self.log(stringify!($m));
            v
        })*
    };
}

impl HostHandler for Host {
    echo_methods! {
        echo_bool: bool,
        echo_s8: i8,
        echo_u8: u8,
        echo_s16: i16,
        echo_u16: u16,
        echo_s32: i32,
        echo_u32: u32,
        echo_s64: i64,
        echo_u64: u64,
        echo_f32: f32,
        echo_f64: f64,
        echo_char: char,
        echo_string: String,
        echo_list_u32: Vec<u32>,
        echo_list_string: Vec<String>,
        echo_bytes: Vec<u8>,
        echo_tuple: (u8, String, f64),
        echo_point: Point,
        echo_item_info: ItemInfo,
        echo_person: Person,
        echo_shape: Shape,
        echo_color: Color,
        echo_permissions: Permissions,
        echo_option_string: Option<String>,
        echo_option_option: Option<Option<u32>>,
        echo_result: Result<u32, String>,
        echo_result_no_ok: Result<(), String>,
        echo_result_no_err: Result<u32, ()>,
        echo_result_empty: Result<(), ()>,
        echo_id: u64,
        echo_nested: Vec<Option<Result<Point, Shape>>>,
        echo_scalar: Scalar,
        echo_deep: Deep,
        echo_big: Big,
    }

    fn pair(&mut self, a: String, b: u32) -> (String, u32) {
        self.log("pair");
        (a, b)
    }

    fn nothing(&mut self) {
        self.log("nothing");
    }
}

impl BlobsHandler for Host {
    fn blob_new(&mut self, data: Vec<u8>) -> Resource<Blob> {
        self.log("blob_new");
        self.next_blob += 1;
        self.blobs.insert(self.next_blob, data);
        Resource::new_own(self.next_blob)
    }

    fn blob_size(&mut self, self_: Resource<Blob>) -> u32 {
        self.log("blob_size");
        self.blobs.get(&self_.rep()).map_or(0, |b| b.len() as u32)
    }

    fn blob_drop(&mut self, rep: Resource<Blob>) {
        self.log("blob_drop");
        self.blobs.remove(&rep.rep());
        self.dropped.push(rep.rep());
    }
}

pub fn point(x: i32, y: i32) -> Point {
    Point { x, y }
}

pub fn person() -> Person {
    Person {
        name: "Ada".into(),
        age: 36,
        tags: vec!["math".into(), "engines".into()],
        home: Some(point(1, -2)),
    }
}

pub fn item_info() -> ItemInfo {
    ItemInfo {
        item_id: u64::MAX,
        r#type: "gear".into(),
        self_ref: Some("me".into()),
        in_stock: true,
    }
}

pub fn deep() -> Deep {
    Deep {
        label: "deep".into(),
        grid: vec![vec![Some(point(1, 2)), None], vec![]],
        outcome: Ok(vec![
            (Color::Red, Shape::Circle(1.5)),
            (Color::DarkMagenta, Shape::Label("l".into())),
            (Color::Blue, Shape::Rectangle(point(3, 4))),
            (Color::Green, Shape::Empty),
        ]),
        perms: Permissions::READ | Permissions::EXEC,
    }
}

pub fn big() -> Big {
    Big {
        info: item_info(),
        owner: person(),
        value: Scalar::Letter('ü'),
    }
}
