//! Resources in text: opaque handles that a table issues and resolves.

use std::collections::HashMap;

use wasmtime::component::{ResourceAny, Val};

use super::error::{ValueError, ValueErrorKind};
use super::value_type::ValueType;

/// Issues and resolves the opaque handles that stand for resources in value text.
///
/// A resource is written `Handle(3)` in RON. The number means nothing by itself: the writer asks
/// the table for a handle of each resource it prints, the reader asks it for the resource of each
/// handle it reads. A container keeps one table per instance, so that handles printed by one call
/// can be passed to the next, and drops the resources with it.
///
/// `ty` is the [`ValueType::Own`] or [`ValueType::Borrow`] expected at that place; a table that
/// knows the resource's wasmtime type can check it.
pub trait HandleTable {
    /// The handle of `resource`, issuing a new one if the table has not seen it.
    ///
    /// # Errors
    ///
    /// When the table does not take resources (see [`NoHandles`]) or is full.
    fn handle(&mut self, resource: ResourceAny, ty: &ValueType) -> Result<u64, ValueError>;

    /// The resource that `handle` stands for.
    ///
    /// # Errors
    ///
    /// When the handle is unknown or its resource is not of type `ty`.
    fn resource(&mut self, handle: u64, ty: &ValueType) -> Result<ResourceAny, ValueError>;
}

/// A [`HandleTable`] that refuses resources: for text with no resources in it, or where no
/// container keeps them.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoHandles;

impl HandleTable for NoHandles {
    fn handle(&mut self, _: ResourceAny, ty: &ValueType) -> Result<u64, ValueError> {
        Err(ValueError::of(
            ValueErrorKind::Resource,
            format!("cannot write a {ty} here: resources need a handle table (a container)"),
        ))
    }

    fn resource(&mut self, handle: u64, ty: &ValueType) -> Result<ResourceAny, ValueError> {
        Err(ValueError::of(
            ValueErrorKind::Resource,
            format!(
                "cannot resolve `Handle({handle})` as a {ty} here: resources need a handle table (a \
             container)"
            ),
        ))
    }
}

/// The most resources a [`ResourceHandles`] table holds unless told otherwise.
pub const DEFAULT_MAX_HANDLES: usize = 65_536;

/// A simple [`HandleTable`]: handles numbered from 1 in the order resources are issued.
///
/// It never drops a resource by itself: [`ResourceHandles::remove`] takes one out, and
/// [`ResourceHandles::drain`] takes them all (for example to `resource_drop` them in a store).
/// It holds at most [`max`](Self::max) resources ([`DEFAULT_MAX_HANDLES`] unless
/// [`with_max`](Self::with_max) says otherwise); issuing one more is a
/// [`ValueErrorKind::Limit`] error, so a guest that returns resources in a loop meets a clear
/// error instead of growing the host without bound.
#[derive(Debug)]
pub struct ResourceHandles {
    next: u64,
    max: usize,
    by_handle: HashMap<u64, ResourceAny>,
}

impl Default for ResourceHandles {
    fn default() -> Self {
        Self::with_max(DEFAULT_MAX_HANDLES)
    }
}

impl ResourceHandles {
    /// An empty table.
    pub fn new() -> Self {
        Self::default()
    }

    /// An empty table that holds at most `max` resources.
    pub fn with_max(max: usize) -> Self {
        Self {
            next: 0,
            max,
            by_handle: HashMap::new(),
        }
    }

    /// The most resources the table holds.
    pub fn max(&self) -> usize {
        self.max
    }

    /// Adds a resource and returns its new handle, or `None` when the table is full.
    pub fn insert(&mut self, resource: ResourceAny) -> Option<u64> {
        if self.by_handle.len() >= self.max {
            return None;
        }
        self.next += 1;
        self.by_handle.insert(self.next, resource);
        Some(self.next)
    }

    /// The resource of `handle`, if the table has it.
    pub fn get(&self, handle: u64) -> Option<ResourceAny> {
        self.by_handle.get(&handle).copied()
    }

    /// Takes the resource of `handle` out of the table.
    pub fn remove(&mut self, handle: u64) -> Option<ResourceAny> {
        self.by_handle.remove(&handle)
    }

    /// How many resources the table holds.
    pub fn len(&self) -> usize {
        self.by_handle.len()
    }

    /// Whether the table is empty.
    pub fn is_empty(&self) -> bool {
        self.by_handle.is_empty()
    }

    /// Takes every resource out of the table, with its handle.
    pub fn drain(&mut self) -> impl Iterator<Item = (u64, ResourceAny)> + '_ {
        self.by_handle.drain()
    }

    /// A mark to take back, with [`forget_since`](Self::forget_since), the handles issued after
    /// it: those of a result that was not printed in the end.
    pub(crate) fn mark(&self) -> u64 {
        self.next
    }

    /// Forgets the handles issued after `mark` (their resources are the caller's to drop).
    pub(crate) fn forget_since(&mut self, mark: u64) {
        if self.next > mark {
            self.by_handle.retain(|&handle, _| handle <= mark);
        }
    }
}

impl HandleTable for ResourceHandles {
    fn handle(&mut self, resource: ResourceAny, _: &ValueType) -> Result<u64, ValueError> {
        // No lookup of an earlier handle: every `own` a call lifts is a new entry in the store's
        // resource table, and results carry no borrows, so a resource reaches the writer once.
        // (A scan here made a `list<own<r>>` cost O(n²).)
        self.insert(resource).ok_or_else(|| {
            ValueError::of(
                ValueErrorKind::Limit,
                format!(
                    "the container holds {} resource handles, the most it keeps: release some \
                     with `drop_handle`",
                    self.max
                ),
            )
        })
    }

    fn resource(&mut self, handle: u64, _: &ValueType) -> Result<ResourceAny, ValueError> {
        // No type check here: the types a container reads from its image are the component's
        // abstract resource types, which never equal an instance's; wasmtime checks the
        // resource's type when the call lowers it.
        self.get(handle).ok_or_else(|| {
            ValueError::of(
                ValueErrorKind::Resource,
                format!("unknown resource handle `Handle({handle})`"),
            )
        })
    }
}

/// The owned resources in `vals`, nested ones included: what must be dropped when a result is
/// not handed to anyone.
pub(crate) fn owned_resources(vals: &[Val], out: &mut Vec<ResourceAny>) {
    for val in vals {
        match val {
            Val::Resource(r) if r.owned() => out.push(*r),
            Val::List(vs) | Val::Tuple(vs) => owned_resources(vs, out),
            Val::Record(fields) => {
                for (_, v) in fields {
                    owned_resources(std::slice::from_ref(v), out);
                }
            }
            Val::Variant(_, Some(v)) | Val::Option(Some(v)) => {
                owned_resources(std::slice::from_ref(v), out)
            }
            Val::Result(Ok(Some(v)) | Err(Some(v))) => {
                owned_resources(std::slice::from_ref(v), out)
            }
            _ => {}
        }
    }
}
