//! Resources in text: opaque handles that a table issues and resolves.

use std::collections::HashMap;

use wasmtime::component::ResourceAny;

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

/// A simple [`HandleTable`]: handles numbered from 1 in the order resources are first seen.
///
/// It never drops a resource by itself: [`ResourceHandles::remove`] takes one out, and
/// [`ResourceHandles::drain`] takes them all (for example to `resource_drop` them in a store).
#[derive(Debug, Default)]
pub struct ResourceHandles {
    next: u64,
    by_handle: HashMap<u64, ResourceAny>,
}

impl ResourceHandles {
    /// An empty table.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a resource and returns its new handle.
    pub fn insert(&mut self, resource: ResourceAny) -> u64 {
        self.next += 1;
        self.by_handle.insert(self.next, resource);
        self.next
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
}

impl HandleTable for ResourceHandles {
    fn handle(&mut self, resource: ResourceAny, _: &ValueType) -> Result<u64, ValueError> {
        if let Some((&handle, _)) = self.by_handle.iter().find(|(_, r)| **r == resource) {
            return Ok(handle);
        }
        Ok(self.insert(resource))
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
