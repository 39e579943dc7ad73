# language: fr
Fonctionnalité: Réserver une salle de réunion
  En tant qu'assistante d'équipe
  Je veux réserver une salle de réunion pour un créneau précis
  Afin que mon équipe ait toujours un lieu pour se réunir, sans double réservation

  Contexte:
    Soit la salle "Everest" qui accueille 8 personnes
    Et la salle "Mont Blanc" qui accueille 20 personnes

  Scénario: Réserver une salle libre
    Quand Julie réserve la salle "Everest" le 12 mai de 10h à 11h pour 6 personnes
    Alors la réservation est confirmée
    Et la salle "Everest" est occupée le 12 mai de 10h à 11h

  Scénario: Une salle déjà prise ne peut pas être réservée deux fois
    Soit Marc a réservé la salle "Everest" le 12 mai de 10h à 12h
    Quand Julie réserve la salle "Everest" le 12 mai de 11h à 13h pour 4 personnes
    Alors la réservation est refusée car la salle est déjà prise par Marc

  Scénario: Enchaîner deux réunions dans la même salle
    Soit Marc a réservé la salle "Everest" le 12 mai de 10h à 11h
    Quand Julie réserve la salle "Everest" le 12 mai de 11h à 12h pour 4 personnes
    Alors la réservation est confirmée

  Scénario: Une salle trop petite pour le groupe
    Quand Julie réserve la salle "Everest" le 12 mai de 14h à 15h pour 12 personnes
    Alors la réservation est refusée car la salle n'accueille que 8 personnes

  Scénario: Annuler une réservation libère la salle
    Soit Marc a réservé la salle "Mont Blanc" le 12 mai de 9h à 10h
    Quand Marc annule sa réservation
    Alors la salle "Mont Blanc" est libre le 12 mai de 9h à 10h
