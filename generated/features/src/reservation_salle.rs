//! Meeting-room bookings. The feature is written in French, so are the messages
//! people see (`Display`); the code itself is in English like the rest of the prototype.

use std::fmt;
use std::str::FromStr;

const MONTHS: [&str; 12] = [
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
];

/// A day of the current year, written `12 mai`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Day {
    month: u8,
    day: u8,
}

impl Day {
    /// `None` if the month name is unknown or the day is not between 1 and 31.
    pub fn new(day: u8, month: &str) -> Option<Day> {
        let month = MONTHS
            .iter()
            .position(|name| *name == month.to_lowercase())?;
        ((1..=31).contains(&day)).then(|| Day {
            month: month as u8 + 1,
            day,
        })
    }
}

impl fmt::Display for Day {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.day, MONTHS[usize::from(self.month) - 1])
    }
}

impl FromStr for Day {
    type Err = BookingError;

    /// Reads `12 mai`.
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        text.split_once(' ')
            .and_then(|(day, month)| Day::new(day.parse().ok()?, month.trim()))
            .ok_or_else(|| BookingError::InvalidDay(text.to_owned()))
    }
}

/// A time slot on one day, in whole hours: from `start`h up to `end`h.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Slot {
    day: Day,
    start: u8,
    end: u8,
}

impl Slot {
    /// A slot must end after it starts, and within the day.
    pub fn new(day: Day, start: u8, end: u8) -> Result<Slot, BookingError> {
        if start >= end || end > 24 {
            return Err(BookingError::InvalidSlot { start, end });
        }
        Ok(Slot { day, start, end })
    }

    /// Two slots overlap when they share at least part of an hour;
    /// one ending at 11h and the next starting at 11h do not.
    pub fn overlaps(&self, other: &Slot) -> bool {
        self.day == other.day && self.start < other.end && other.start < self.end
    }
}

impl fmt::Display for Slot {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "le {} de {}h à {}h", self.day, self.start, self.end)
    }
}

/// A meeting room and how many people it seats.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Room {
    pub name: String,
    pub capacity: u32,
}

/// Identifies a booking, to cancel it later.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct BookingId(u32);

impl fmt::Display for BookingId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "n°{}", self.0)
    }
}

/// A confirmed booking.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Booking {
    pub id: BookingId,
    pub room: String,
    pub organiser: String,
    pub slot: Slot,
    pub attendees: u32,
}

/// Why a booking was refused (messages in French, for the people booking).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BookingError {
    UnknownRoom(String),
    InvalidDay(String),
    InvalidSlot {
        start: u8,
        end: u8,
    },
    RoomTooSmall {
        room: String,
        capacity: u32,
        attendees: u32,
    },
    AlreadyBooked {
        room: String,
        by: String,
        slot: Slot,
    },
    UnknownBooking(BookingId),
}

impl fmt::Display for BookingError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::UnknownRoom(room) => write!(f, "la salle « {room} » n'existe pas"),
            Self::InvalidDay(text) => write!(f, "« {text} » n'est pas une date comme « 12 mai »"),
            Self::InvalidSlot { start, end } => {
                write!(f, "un créneau de {start}h à {end}h n'est pas possible")
            }
            Self::RoomTooSmall {
                room,
                capacity,
                attendees,
            } => write!(
                f,
                "la salle « {room} » n'accueille que {capacity} personnes, pas {attendees}"
            ),
            Self::AlreadyBooked { room, by, slot } => {
                write!(f, "la salle « {room} » est déjà prise par {by} {slot}")
            }
            Self::UnknownBooking(id) => write!(f, "la réservation {id} n'existe pas"),
        }
    }
}

impl std::error::Error for BookingError {}

/// The rooms and their bookings.
#[derive(Debug, Clone, Default)]
pub struct Planning {
    rooms: Vec<Room>,
    bookings: Vec<Booking>,
    next_id: u32,
}

impl Planning {
    pub fn add_room(&mut self, name: impl Into<String>, capacity: u32) {
        self.rooms.push(Room {
            name: name.into(),
            capacity,
        });
    }

    pub fn room(&self, name: &str) -> Option<&Room> {
        self.rooms.iter().find(|room| room.name == name)
    }

    /// Books a room if it exists, seats everyone and is free for the whole slot.
    pub fn book(
        &mut self,
        organiser: &str,
        room: &str,
        slot: Slot,
        attendees: u32,
    ) -> Result<BookingId, BookingError> {
        let capacity = self
            .room(room)
            .ok_or_else(|| BookingError::UnknownRoom(room.to_owned()))?
            .capacity;
        if attendees > capacity {
            return Err(BookingError::RoomTooSmall {
                room: room.to_owned(),
                capacity,
                attendees,
            });
        }
        if let Some(clash) = self.clash(room, &slot) {
            return Err(BookingError::AlreadyBooked {
                room: room.to_owned(),
                by: clash.organiser.clone(),
                slot: clash.slot,
            });
        }
        self.next_id += 1;
        let id = BookingId(self.next_id);
        self.bookings.push(Booking {
            id,
            room: room.to_owned(),
            organiser: organiser.to_owned(),
            slot,
            attendees,
        });
        Ok(id)
    }

    /// Cancels a booking, which frees its slot, and returns it.
    pub fn cancel(&mut self, id: BookingId) -> Result<Booking, BookingError> {
        let index = self
            .bookings
            .iter()
            .position(|booking| booking.id == id)
            .ok_or(BookingError::UnknownBooking(id))?;
        Ok(self.bookings.remove(index))
    }

    pub fn booking(&self, id: BookingId) -> Option<&Booking> {
        self.bookings.iter().find(|booking| booking.id == id)
    }

    /// The booking that takes the room during part of `slot`, if any.
    pub fn clash(&self, room: &str, slot: &Slot) -> Option<&Booking> {
        self.bookings
            .iter()
            .find(|booking| booking.room == room && booking.slot.overlaps(slot))
    }

    pub fn is_free(&self, room: &str, slot: &Slot) -> bool {
        self.clash(room, slot).is_none()
    }
}
