//! `wit_interface!` with a resource: the handler it generates serves a real guest's imported
//! resource (constructor, method, drop), wired through a `Container`.

use tairitsu::wasmtime::component::Resource;
use tairitsu::{Container, HostState, Image, wit_interface};

wit_interface! {
    package test:blobs@0.1.0;

    /// Bytes held by the host.
    interface blobs {
        /// A blob of bytes.
        resource blob {
            /// Takes a copy of `data`.
            constructor(data: Vec<u8>);
            /// Returns the number of bytes.
            size: func() -> u32;
        }
    }
}

#[derive(Default)]
struct Host {
    blobs: Vec<Option<Vec<u8>>>,
    log: Vec<String>,
}

impl blobs::BlobsHandler for Host {
    fn blob_new(&mut self, data: Vec<u8>) -> Resource<blobs::Blob> {
        self.log.push(format!("new {data:?}"));
        self.blobs.push(Some(data));
        Resource::new_own((self.blobs.len() - 1) as u32)
    }

    fn blob_size(&mut self, blob: Resource<blobs::Blob>) -> u32 {
        self.log.push(format!("size {}", blob.rep()));
        self.blobs[blob.rep() as usize]
            .as_ref()
            .map_or(0, |b| b.len() as u32)
    }

    fn blob_drop(&mut self, blob: Resource<blobs::Blob>) {
        self.log.push(format!("drop {}", blob.rep()));
        self.blobs[blob.rep() as usize] = None;
    }
}

#[test]
fn the_macros_handler_serves_a_guests_imported_resource() {
    // The macro's WIT is the guest's interface.
    assert!(blobs::WIT.contains("resource blob {"), "{}", blobs::WIT);
    // The guest imports `blobs` as the macro declares it, and exports `blob-size`.
    let image = Image::from_bytes(tairitsu_fixtures::blob_user()).unwrap();
    let mut container = Container::builder(image)
        .with_host_state(Host::default())
        .with_linker(|linker| blobs::add_to_linker(linker, HostState::data_mut))
        .build()
        .unwrap();
    assert_eq!(container.call_ron("blob-size([1, 2, 3])").unwrap(), "3");
    assert_eq!(container.call_ron("blob-size([])").unwrap(), "0");
    let host = container
        .data()
        .expect("a running container has its host state");
    assert_eq!(
        host.log,
        [
            "new [1, 2, 3]",
            "size 0",
            "drop 0",
            "new []",
            "size 1",
            "drop 1"
        ]
    );
    assert_eq!(host.blobs, [None, None]);
}
