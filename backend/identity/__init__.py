"""Identity: the person registry, sealed biometrics and the applicant gallery."""
