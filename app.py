from preference_centre import create_app

app = create_app()
