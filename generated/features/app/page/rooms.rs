//! Réserver une salle de réunion : la section est en français, comme la
//! fonctionnalité. Les refus et les créneaux viennent du `Planning`.

use prototype::reservation_salle::{BookingId, Planning, Slot};

use super::{cells, field, form, html, input, parse, row};
use crate::Form;

/// Le Contexte : les salles et combien de personnes elles accueillent.
const ROOMS: [(&str, u32); 2] = [("Everest", 8), ("Mont Blanc", 20)];

/// Le planning, et les réservations faites depuis la page (le planning ne les liste pas).
pub struct Rooms {
    planning: Planning,
    bookings: Vec<BookingId>,
}

impl Rooms {
    /// Le Contexte : les deux salles, encore sans réservation.
    pub fn new() -> Self {
        let mut planning = Planning::default();
        for (name, capacity) in ROOMS {
            planning.add_room(name, capacity);
        }
        Rooms {
            planning,
            bookings: Vec::new(),
        }
    }

    /// « Quand Julie réserve la salle … le … de …h à …h pour … personnes ».
    pub fn book(&mut self, form: &Form) -> Result<String, String> {
        let (organiser, room) = (field(form, "organisateur"), field(form, "salle"));
        let slot = slot(form)?;
        let attendees = field(form, "personnes");
        let attendees = attendees
            .parse()
            .map_err(|_| format!("« {attendees} » n'est pas un nombre de personnes comme 6."))?;
        let id = self.planning.book(organiser, room, slot, attendees);
        let id = id.map_err(|refusal| format!("La réservation est refusée : {refusal}."))?;
        self.bookings.push(id);
        Ok(format!(
            "La réservation {id} est confirmée : « {room} » {slot}, pour {organiser}."
        ))
    }

    /// « Quand Marc annule sa réservation » (la réservation choisie dans la liste).
    pub fn cancel(&mut self, form: &Form) -> Result<String, String> {
        let wanted = field(form, "reservation");
        let Some(index) = self.bookings.iter().position(|id| id.to_string() == wanted) else {
            return Err(format!("La réservation {wanted} n'est pas sur cette page."));
        };
        let booking = self
            .planning
            .cancel(self.bookings.remove(index))
            .map_err(|e| format!("{e}."))?;
        let (id, who, room, slot) = (booking.id, booking.organiser, booking.room, booking.slot);
        Ok(format!(
            "La réservation {id} de {who} est annulée : « {room} » {slot}."
        ))
    }

    /// La section : les salles, les réservations et le formulaire pour réserver.
    pub fn render(&self) -> String {
        let rooms: String = ROOMS
            .iter()
            .filter_map(|(name, _)| self.planning.room(name))
            .map(|room| row(&[&room.name, &format!("{} personnes", room.capacity)]))
            .collect();
        let bookings: String = self
            .bookings
            .iter()
            .filter_map(|id| self.planning.booking(*id))
            .map(|b| {
                let id = html(b.id);
                let hidden = format!("<input type=\"hidden\" name=\"reservation\" value=\"{id}\">");
                let cancel = form(&hidden, "annuler", "Annuler");
                let shown = cells(&[&b.id, &b.room, &b.organiser, &b.slot, &b.attendees]);
                format!("<tr>{shown}<td>{cancel}</td></tr>\n")
            })
            .collect();
        let when = input("Le", "jour", "12 mai")
            + &input("De (h)", "debut", "10")
            + &input("À (h)", "fin", "11");
        let book =
            input("Organisateur", "organisateur", "Julie") + &input("Salle", "salle", "Everest");
        let book = book + &when + &input("Pour (personnes)", "personnes", "6");
        format!(
            "<section id=\"reservation-salle\" lang=\"fr\">\n<h2>Réserver une salle de réunion</h2>\n\
             <table id=\"salles\">\n<tr><th>Salle</th><th>Accueille</th></tr>\n{rooms}</table>\n\
             <table id=\"reservations\">\n<tr><th>Réservation</th><th>Salle</th><th>Organisateur</th>\
             <th>Créneau</th><th>Personnes</th><th></th></tr>\n{bookings}</table>\n{book}</section>\n",
            book = form(&book, "reserver", "Réserver"),
        )
    }
}

/// Le créneau du formulaire : le jour (`12 mai`) et les heures de début et de fin.
fn slot(form: &Form) -> Result<Slot, String> {
    let hour = |name| {
        let text = field(form, name);
        text.parse()
            .map_err(|_| format!("« {text} » n'est pas une heure comme 10."))
    };
    Slot::new(parse(form, "jour")?, hour("debut")?, hour("fin")?).map_err(|e| format!("{e}."))
}
