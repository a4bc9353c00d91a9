def clinic(request):
    return {"clinic": getattr(request, "clinic", None), "therapist": getattr(request, "therapist", None)}
