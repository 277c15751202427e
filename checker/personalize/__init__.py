"""personalize"""
