//! Steps for `reservation_salle.feature` (in French): meeting-room bookings.
//! Failure messages are in French, like the feature.

use std::collections::HashMap;

use cucumber::{given, then, when};
use prototype::reservation_salle::{BookingError, BookingId, Day, Planning, Slot};

/// The state of one scenario.
#[derive(Debug, Default, cucumber::World)]
pub struct World {
    planning: Planning,
    /// Each organiser's latest booking ("sa réservation").
    bookings: HashMap<String, BookingId>,
    outcome: Option<Result<BookingId, BookingError>>,
}

impl World {
    fn book(&mut self, organiser: &str, room: &str, slot: Slot, attendees: u32) {
        let outcome = self.planning.book(organiser, room, slot, attendees);
        if let Ok(id) = outcome {
            self.bookings.insert(organiser.to_owned(), id);
        }
        self.outcome = Some(outcome);
    }

    fn outcome(&self) -> &Result<BookingId, BookingError> {
        self.outcome
            .as_ref()
            .expect("le scénario doit faire une réservation avant de la vérifier")
    }
}

fn slot(day: Day, start: u8, end: u8) -> Slot {
    Slot::new(day, start, end).unwrap_or_else(|error| panic!("{error}"))
}

#[given(expr = "la salle {string} qui accueille {int} personnes")]
fn room(world: &mut World, name: String, capacity: u32) {
    world.planning.add_room(name, capacity);
}

#[given(expr = "{word} a réservé la salle {string} le {} de {int}h à {int}h")]
fn already_booked(
    world: &mut World,
    organiser: String,
    room: String,
    day: Day,
    start: u8,
    end: u8,
) {
    world.book(&organiser, &room, slot(day, start, end), 1);
    if let Err(refusal) = world.outcome() {
        panic!("{organiser} devrait avoir pu réserver la salle « {room} », mais : {refusal}");
    }
}

#[when(expr = "{word} réserve la salle {string} le {} de {int}h à {int}h pour {int} personnes")]
fn books(
    world: &mut World,
    organiser: String,
    room: String,
    day: Day,
    start: u8,
    end: u8,
    attendees: u32,
) {
    world.book(&organiser, &room, slot(day, start, end), attendees);
}

#[when(expr = "{word} annule sa réservation")]
fn cancels(world: &mut World, organiser: String) {
    let id = *world
        .bookings
        .get(&organiser)
        .unwrap_or_else(|| panic!("{organiser} n'a aucune réservation à annuler"));
    if let Err(refusal) = world.planning.cancel(id) {
        panic!("{organiser} devrait pouvoir annuler sa réservation, mais : {refusal}");
    }
}

#[then("la réservation est confirmée")]
fn confirmed(world: &mut World) {
    if let Err(refusal) = world.outcome() {
        panic!("la réservation devrait être confirmée, mais elle est refusée : {refusal}");
    }
}

#[then(expr = "la réservation est refusée car la salle est déjà prise par {word}")]
fn refused_taken(world: &mut World, expected: String) {
    match world.outcome() {
        Err(BookingError::AlreadyBooked { by, .. }) => assert!(
            *by == expected,
            "la salle devrait être prise par {expected}, mais elle est prise par {by}"
        ),
        Err(refusal) => panic!(
            "la réservation devrait être refusée car la salle est déjà prise par {expected}, \
             mais elle est refusée pour une autre raison : {refusal}"
        ),
        Ok(_) => panic!(
            "la réservation devrait être refusée car la salle est déjà prise par {expected}, \
             mais elle a été confirmée"
        ),
    }
}

#[then(expr = "la réservation est refusée car la salle n'accueille que {int} personnes")]
fn refused_too_small(world: &mut World, expected: u32) {
    match world.outcome() {
        Err(BookingError::RoomTooSmall { capacity, .. }) => assert!(
            *capacity == expected,
            "la salle devrait accueillir {expected} personnes, mais elle en accueille {capacity}"
        ),
        Err(refusal) => panic!(
            "la réservation devrait être refusée car la salle est trop petite, \
             mais elle est refusée pour une autre raison : {refusal}"
        ),
        Ok(_) => panic!(
            "la réservation devrait être refusée car la salle n'accueille que {expected} personnes, \
             mais elle a été confirmée"
        ),
    }
}

#[then(expr = "la salle {string} est occupée le {} de {int}h à {int}h")]
fn room_taken(world: &mut World, room: String, day: Day, start: u8, end: u8) {
    let slot = slot(day, start, end);
    let Some(booking) = world.planning.clash(&room, &slot) else {
        panic!("la salle « {room} » devrait être occupée {slot}, mais elle est libre");
    };
    assert!(
        booking.slot == slot,
        "la salle « {room} » devrait être occupée {slot}, mais elle l'est {}",
        booking.slot
    );
}

#[then(expr = "la salle {string} est libre le {} de {int}h à {int}h")]
fn room_free(world: &mut World, room: String, day: Day, start: u8, end: u8) {
    let slot = slot(day, start, end);
    assert!(
        world.planning.room(&room).is_some(),
        "la salle « {room} » devrait être libre {slot}, mais le planning ne la connaît pas"
    );
    if let Some(booking) = world.planning.clash(&room, &slot) {
        panic!(
            "la salle « {room} » devrait être libre {slot}, mais elle est réservée par {} {}",
            booking.organiser, booking.slot
        );
    }
}
