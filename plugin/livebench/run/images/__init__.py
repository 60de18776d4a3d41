"""run/images"""
