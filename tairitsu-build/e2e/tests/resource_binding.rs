//! An imported resource bound to a host type with `Builder::with_resource`: the generated
//! handler speaks `Resource<HostBlob>`, so the host keeps its blobs in a wasmtime
//! `ResourceTable` and hands the table's handles to the guest as they are.

use tairitsu::wasmtime::component::{Component, Linker, Resource, ResourceTable};
use tairitsu::wasmtime::{Config, Engine, Store};
use tairitsu_build_e2e::blob_user::test::blobs::blobs::{Blob, BlobsHandler};
use tairitsu_build_e2e::blob_user::{BlobUser, HostBlob};

// The binding is the type itself, not a marker of it.
const _: fn(Resource<HostBlob>) -> Resource<Blob> = |r| r;

#[derive(Default)]
struct Host {
    table: ResourceTable,
    sizes: Vec<u32>,
    dropped: Vec<HostBlob>,
}

impl BlobsHandler for Host {
    fn blob_new(&mut self, data: Vec<u8>) -> Resource<HostBlob> {
        self.table
            .push(HostBlob { data })
            .expect("the table has room")
    }

    fn blob_size(&mut self, blob: Resource<HostBlob>) -> u32 {
        let size = self.table.get(&blob).map_or(0, |b| b.data.len() as u32);
        self.sizes.push(size);
        size
    }

    fn blob_drop(&mut self, blob: Resource<HostBlob>) {
        let blob = self
            .table
            .delete(blob)
            .expect("the guest drops a live blob");
        self.dropped.push(blob);
    }
}

#[test]
fn the_handler_keeps_host_values_in_a_resource_table() -> tairitsu::wasmtime::Result<()> {
    let mut config = Config::new();
    config.concurrency_support(false);
    let engine = Engine::new(&config)?;
    let component = Component::new(&engine, tairitsu_fixtures::blob_user())?;
    let mut linker = Linker::<Host>::new(&engine);
    BlobUser::add_to_linker(&mut linker, |h| h)?;
    let mut store = Store::new(&engine, Host::default());
    let guest = BlobUser::instantiate(&mut store, &component, &linker)?;

    assert_eq!(guest.call_blob_size(&mut store, &[1, 2, 3])?, 3);
    assert_eq!(guest.call_blob_size(&mut store, b"hello")?, 5);

    let host = store.data();
    assert_eq!(host.sizes, [3, 5]);
    // Every blob the guest made went back into the host's hands when it dropped it.
    assert_eq!(
        host.dropped,
        [
            HostBlob {
                data: vec![1, 2, 3]
            },
            HostBlob {
                data: b"hello".to_vec()
            }
        ]
    );
    assert!(host.table.is_empty());
    Ok(())
}
