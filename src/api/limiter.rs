//! A client-side limit on tasks running at once (`maxConcurrentTasks`), with a first-come,
//! first-served queue. Kling answers 1303 past an account's concurrency cap; keeping the client
//! under it avoids spending retries on refusals.
//!
//! Waiting for a slot polls through [`Env::sleep`], so the caller's abort signal ends the wait and
//! the limiter needs nothing from the executor. Tasks take minutes; a handoff delay of
//! [`POLL_MS`] does not matter.

use std::cell::RefCell;
use std::collections::VecDeque;

use crate::api::env::Env;
use crate::api::error::transport_error;
use crate::api::error::Error;

/// How often a queued call checks for a free slot.
pub const POLL_MS: u32 = 50;

#[derive(Debug, Default)]
struct State {
    active: u32,
    next_ticket: u64,
    queue: VecDeque<u64>,
}

/// At most `max` holders at once; the others wait in arrival order.
#[derive(Debug)]
pub struct Slots {
    max: u32,
    state: RefCell<State>,
}

/// A held slot, released when dropped.
#[derive(Debug)]
pub struct Slot<'a> {
    slots: &'a Slots,
}

/// A place in the queue, given up when dropped before a slot was granted (an aborted wait).
struct Ticket<'a> {
    slots: &'a Slots,
    number: u64,
    granted: bool,
}

impl Slots {
    /// A limiter of `max` slots.
    pub fn new(max: u32) -> Slots {
        Slots {
            max,
            state: RefCell::new(State::default()),
        }
    }

    /// Slots in use now.
    pub fn active(&self) -> u32 {
        self.state.borrow().active
    }

    /// Calls waiting for a slot now.
    pub fn queued(&self) -> usize {
        self.state.borrow().queue.len()
    }

    /// Waits for a slot, in arrival order. Fails only when the caller aborts.
    pub async fn acquire<E: Env>(&self, env: &E) -> Result<Slot<'_>, Error> {
        let mut ticket = {
            let mut s = self.state.borrow_mut();
            let number = s.next_ticket;
            s.next_ticket += 1;
            s.queue.push_back(number);
            Ticket {
                slots: self,
                number,
                granted: false,
            }
        };
        loop {
            if self.try_take(ticket.number) {
                ticket.granted = true;
                return Ok(Slot { slots: self });
            }
            env.sleep(POLL_MS).await.map_err(|t| {
                let mut e = transport_error(t, 0);
                e.message = "stopped waiting for a free task slot (maxConcurrentTasks): the caller aborted; nothing was sent".into();
                e
            })?;
        }
    }

    fn try_take(&self, number: u64) -> bool {
        let mut s = self.state.borrow_mut();
        if s.active < self.max && s.queue.front() == Some(&number) {
            s.queue.pop_front();
            s.active += 1;
            true
        } else {
            false
        }
    }
}

impl Drop for Slot<'_> {
    fn drop(&mut self) {
        let mut s = self.slots.state.borrow_mut();
        s.active = s.active.saturating_sub(1);
    }
}

impl Drop for Ticket<'_> {
    fn drop(&mut self) {
        if !self.granted {
            self.slots
                .state
                .borrow_mut()
                .queue
                .retain(|n| *n != self.number);
        }
    }
}
