"""Printed sheets (reportlab): home-exercise programme, referral letter, visit summary. No Qt."""
